package io.strait.cli;

import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.LinkReplicator;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code strait run FILE}: the replication daemon, until SIGTERM or SIGINT. */
@Command(name = "run", description = "Run the replication daemon for a topology until stopped (SIGTERM, Ctrl-C).")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (HOCON).")
    Path file;

    /**
     * When bin/strait records a class-data archive at this run's exit (its cds_options), marks the
     * recording ({@code <recording>.ok}) once a link replicates: only then has the JVM loaded the
     * classes of a working daemon, and bin/strait maps only a marked recording. A run that fails or
     * never reaches its clusters leaves its recording unmarked, and the next run records anew.
     */
    private static void markRecordingOnceReplicating(StraitDaemon daemon) {
        String recording = System.getProperty("strait.cds.recording");
        if (recording == null) {
            return;
        }
        Thread marker = new Thread(() -> {
            try {
                while (true) {
                    boolean replicating = daemon.statuses().values().stream().anyMatch(status ->
                            status.state() == LinkReplicator.State.RUNNING || status.state() == LinkReplicator.State.DEGRADED);
                    if (replicating) {
                        java.nio.file.Files.write(Path.of(recording + ".ok"), new byte[0]);
                        log.debug("A link replicates: the class-data archive recorded at exit will be used");
                        return;
                    }
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                log.warn("Could not mark the class-data recording {} ({}): the next run records it again", recording,
                        e.toString());
            }
        }, "strait-cds-marker");
        marker.setDaemon(true);
        marker.start();
    }

    @Override
    public Integer call() throws TopologyException, InterruptedException {
        TopologyLoader loader = new TopologyLoader(new KafkaSettingsValidator());
        Topology topology = loader.load(file);
        topology.warnings().forEach(w -> log.warn("{}", w));
        // What bin/strait chose for class-data sharing (its cds_options): mapping an archive, recording one.
        String cds = System.getProperty("strait.cds");
        if (cds != null) {
            log.info("Class-data archive: {}", cds);
        }
        StraitDaemon daemon = new StraitDaemon(topology, file, loader);
        StatusServer http;
        try {
            http = StatusServer.start(topology.http(), daemon);
        } catch (java.io.IOException e) {
            throw new UnreachableException("cannot serve HTTP on " + topology.http().bind() + ":"
                    + topology.http().port() + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.stop();
            http.close();
        }, "strait-shutdown"));
        daemon.start();
        markRecordingOnceReplicating(daemon);
        daemon.awaitStop();
        return ExitCodes.OK;
    }
}
