package io.strait.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The watcher sees every way a topology file changes, and nothing when it does not. */
class TopologyWatcherTest {

    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();
    private TopologyWatcher watcher;

    @AfterEach
    void stopWatcher() {
        if (watcher != null) {
            watcher.stop();
        }
    }

    private void watch(Path file) {
        watcher = new TopologyWatcher(file, Duration.ofMillis(50), changes::incrementAndGet);
        watcher.start();
    }

    @Test
    void writtenInPlace() throws IOException {
        Path file = Files.writeString(dir.resolve("topology.conf"), "v1");
        watch(file);
        Files.writeString(file, "v2");
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
    }

    @Test
    void replacedByAnAtomicRename() throws IOException {
        Path file = Files.writeString(dir.resolve("topology.conf"), "v1");
        watch(file);
        Path next = Files.writeString(dir.resolve(".topology.conf.tmp"), "v2");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
    }

    /** What the kubelet does with a mounted ConfigMap: topology.conf -> ..data/topology.conf, ..data -> ..v1. */
    @Test
    void swappedBehindASymbolicLinkLikeAConfigMap() throws IOException {
        Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(dir.resolve("..v1/topology.conf"), "v1");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Path file = Files.createSymbolicLink(dir.resolve("topology.conf"), Path.of("..data/topology.conf"));
        watch(file);

        Files.createDirectory(dir.resolve("..v2"));
        Files.writeString(dir.resolve("..v2/topology.conf"), "v2");
        Path swap = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
        Files.move(swap, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() == 1);
        assertThat(Files.readString(file)).isEqualTo("v2");
    }

    @Test
    void touchingWithoutChangingIsNotAChange() throws Exception {
        Path file = Files.writeString(dir.resolve("topology.conf"), "v1");
        watch(file);
        Files.writeString(file, "v1");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> changes.get() == 0);
    }

    @Test
    void aFileMissingForAMomentIsNotAChange() throws Exception {
        Path file = Files.writeString(dir.resolve("topology.conf"), "v1");
        watch(file);
        Files.delete(file);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> changes.get() == 0);
        Files.writeString(file, "v1");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> changes.get() == 0);
    }
}
