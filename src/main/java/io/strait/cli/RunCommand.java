package io.strait.cli;

import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.replication.KafkaSettingsValidator;
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
        daemon.awaitStop();
        return ExitCodes.OK;
    }
}
