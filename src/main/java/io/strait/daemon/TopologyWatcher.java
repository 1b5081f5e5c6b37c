package io.strait.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Notices when the topology file's content changes, however it changed: written in place,
 * replaced by an atomic rename, or swapped behind a symbolic link as Kubernetes does with a
 * mounted ConfigMap (whose file links to {@code ..data/}, itself a link that is swapped). It reads
 * the file through its links at every interval and compares a digest of the bytes, which no
 * file-system event API does for all three. Also reloads on SIGHUP.
 */
final class TopologyWatcher {

    private static final Logger log = LoggerFactory.getLogger(TopologyWatcher.class);

    private final Path file;
    private final Duration interval;
    private final Runnable onChange;
    private final ScheduledExecutorService executor;
    private byte[] digest;

    TopologyWatcher(Path file, Duration interval, Runnable onChange) {
        this.file = file;
        this.interval = interval;
        this.onChange = onChange;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strait-topology-watcher");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        digest = digest();
        executor.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                log.info("SIGHUP: reloading {}", file);
                executor.execute(this::reloadNow);
            });
        } catch (IllegalArgumentException e) {
            log.debug("SIGHUP cannot be handled on this platform", e);
        }
        log.info("Watching {} for changes every {} ms (SIGHUP reloads at once)", file, interval.toMillis());
    }

    void stop() {
        executor.shutdownNow();
    }

    private void check() {
        byte[] now = digest();
        if (now != null && !Arrays.equals(now, digest)) {
            log.info("{} changed: reloading", file);
            digest = now;
            run();
        }
    }

    private void reloadNow() {
        byte[] now = digest();
        if (now != null) {
            digest = now;
        }
        run();
    }

    private void run() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.error("Reloading {} failed", file, e);
        }
    }

    /** A digest of the file's bytes, read through any links; null while it cannot be read (mid-swap). */
    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            log.debug("Cannot read {} now: {}", file, e.toString());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
