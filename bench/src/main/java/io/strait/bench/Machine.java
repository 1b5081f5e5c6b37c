package io.strait.bench;

import org.apache.kafka.common.utils.AppInfoParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the benchmark ran on. */
final class Machine {

    private Machine() {
    }

    static String cpu() {
        String model = firstValue(Path.of("/proc/cpuinfo"), "model name");
        return Runtime.getRuntime().availableProcessors() + " cores" + (model.isEmpty() ? "" : " (" + model + ")");
    }

    static String memory() {
        String total = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        if (total.isEmpty()) {
            return "unknown";
        }
        long kib = Long.parseLong(total.replace("kB", "").trim());
        return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
    }

    static String java() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    static String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
    }

    static String kafka() {
        return AppInfoParser.getVersion();
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (1, 5, 15 min)";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "";
    }
}
