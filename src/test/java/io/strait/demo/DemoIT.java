package io.strait.demo;

import io.strait.testing.ChildProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code strait demo} as the README's first command runs it, stopped as a user stops it (Ctrl-C,
 * here SIGTERM: both run the JVM's shutdown hooks): links first, then clusters, no error on the
 * way out, and the clusters' data deleted.
 */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void stopsOnSigtermWithoutAnErrorAndDeletesItsClustersData() throws Exception {
        Path log = dir.resolve("demo.log");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Process demo = ChildProcesses.java(List.of("-Xmx1g", "-Djava.io.tmpdir=" + tmp, "-Dstrait.log.level=INFO"),
                "io.strait.cli.StraitCommand", List.of("demo"), Map.of(), log);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> !demo.isAlive() || Files.readString(log).contains("First replicated records arrived"));
        assertThat(demo.isAlive()).as(Files.readString(log)).isTrue();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("each cluster's data directory").filteredOn(f -> f.startsWith("strait-") || f.startsWith("kafka-"))
                    .hasSize(3);
        }

        demo.destroy();
        assertThat(demo.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();

        String output = Files.readString(log);
        assertThat(output).contains("Stopping: links, then clusters").contains("Demo stopped.");
        assertThat(output.lines().filter(l -> l.contains(" ERROR ") || l.startsWith("\tat ") || l.contains("Exception")))
                .as(output).isEmpty();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("the clusters' data, deleted")
                    .noneMatch(f -> f.startsWith("strait-") || f.startsWith("kafka-"));
        }
    }
}
