package io.strait.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Log4j 2 configurations for the child JVMs that are not Strait (Strait brings its own). */
final class BenchLogging {

    private BenchLogging() {
    }

    /** A configuration that logs everything at {@code level} to stdout (the child's log file). */
    static Path childConfig(Path workDir, String level) {
        Path file = workDir.resolve("config").resolve("log4j2-" + level.toLowerCase(Locale.ROOT) + ".properties");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, String.join("\n",
                        "status = warn",
                        "appender.out.type = Console",
                        "appender.out.name = out",
                        "appender.out.target = SYSTEM_OUT",
                        "appender.out.layout.type = PatternLayout",
                        // Kafka's connect-log4j2.yaml pattern.
                        "appender.out.layout.pattern = [%d] %p %X{connector.context}%m (%c:%L)%n",
                        "rootLogger.level = " + level,
                        "rootLogger.appenderRef.out.ref = out",
                        ""));
            }
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
