package io.strait.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Strait's default client settings for the copy, as its {@code reference.conf} gives them (keys
 * {@code "producer.*"}, {@code "consumer.*"} and {@code "source.consumer.*"}), read from the Strait
 * build the benchmark runs, so that the report states them as they are rather than as they were
 * when the benchmark was written.
 */
final class StraitSettings {

    private static final Pattern PRODUCER_KEY = Pattern.compile("^\\s*\"producer\\.([\\w.]+)\"\\s*=\\s*([^\\s#]+)");
    private static final Pattern CONSUMER_KEY = Pattern.compile("^\\s*\"(?:source\\.)?consumer\\.([\\w.]+)\"\\s*=\\s*([^\\s#]+)");

    private StraitSettings() {
    }

    /** "`enable.idempotence=true`, `max.in.flight.requests.per.connection=1`, ..." or empty if not found. */
    static String producer(String straitClasspath) {
        return line(settings(straitClasspath, PRODUCER_KEY));
    }

    /** Producer settings by name, without the {@code producer.} prefix. */
    static Map<String, String> producerSettings(String straitClasspath) {
        return settings(straitClasspath, PRODUCER_KEY);
    }

    /** The consumer settings Strait's reference.conf sets, or empty if it sets none. */
    static String consumer(String straitClasspath) {
        return line(settings(straitClasspath, CONSUMER_KEY));
    }

    /** The value of a quoted key of reference.conf, such as {@code "offset.flush.interval.ms"}; empty if absent. */
    static String value(String straitClasspath, String key) {
        Map<String, String> found = settings(straitClasspath,
                Pattern.compile("^\\s*\"(" + Pattern.quote(key) + ")\"\\s*=\\s*([^\\s#]+)"));
        return found.getOrDefault(key, "");
    }

    private static String line(Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
                .collect(Collectors.joining(", "));
    }

    private static Map<String, String> settings(String straitClasspath, Pattern key) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : referenceConf(straitClasspath).split("\n")) {
            Matcher m = key.matcher(line);
            if (m.find()) {
                settings.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return settings;
    }

    /** The reference.conf of the first class path entry (Strait's target/classes, or its jar); empty if none. */
    private static String referenceConf(String classpath) {
        if (classpath == null || classpath.isBlank()) {
            return "";
        }
        Path first = Path.of(classpath.split(java.io.File.pathSeparator)[0]);
        try {
            if (Files.isDirectory(first)) {
                Path conf = first.resolve("reference.conf");
                return Files.exists(conf) ? Files.readString(conf) : "";
            }
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(first.toFile())) {
                var entry = jar.getEntry("reference.conf");
                if (entry == null) {
                    return "";
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (Exception e) {
            return "";
        }
    }
}
