package io.strait.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Strait's default client settings for the copy, as its {@code reference.conf} gives them: the
 * {@code "producer.*"} keys of {@code strait.engine.worker} and the {@code "consumer.*"} and
 * {@code "source.consumer.*"} keys of {@code strait.flow-defaults.mirror}, read with typesafe-config
 * from the Strait build the benchmark runs, so that the report states them as they are rather than
 * as they were when the benchmark was written.
 */
final class StraitSettings {

    private static final String WORKER = "strait.engine.worker";
    private static final String MIRROR = "strait.flow-defaults.mirror";

    private StraitSettings() {
    }

    /** "`enable.idempotence=true`, `acks=all`, ..." or empty if not found. */
    static String producer(String straitClasspath) {
        return line(producerSettings(straitClasspath));
    }

    /** Producer settings by name, without the {@code producer.} prefix. */
    static Map<String, String> producerSettings(String straitClasspath) {
        return settings(straitClasspath, WORKER, "producer.");
    }

    /** The consumer settings Strait's reference.conf sets, or empty if it sets none. */
    static String consumer(String straitClasspath) {
        Map<String, String> consumer = settings(straitClasspath, MIRROR, "consumer.");
        consumer.putAll(settings(straitClasspath, MIRROR, "source.consumer."));
        return line(consumer);
    }

    /** A worker setting of reference.conf, such as {@code offset.flush.interval.ms}; empty if absent. */
    static String value(String straitClasspath, String key) {
        Config worker = block(straitClasspath, WORKER);
        String path = com.typesafe.config.ConfigUtil.quoteString(key);
        return worker.hasPath(path) ? worker.getString(path) : "";
    }

    private static String line(Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
                .collect(Collectors.joining(", "));
    }

    /** The block's keys that start with {@code prefix} (quoted dotted names), without it. */
    private static Map<String, String> settings(String straitClasspath, String blockPath, String prefix) {
        Map<String, String> settings = new TreeMap<>();
        block(straitClasspath, blockPath).root().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                settings.put(key.substring(prefix.length()), String.valueOf(value.unwrapped()));
            }
        });
        return settings;
    }

    private static Config block(String straitClasspath, String path) {
        Config conf = ConfigFactory.parseString(referenceConf(straitClasspath));
        return conf.hasPath(path) ? conf.getConfig(path) : ConfigFactory.empty();
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
