package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.RestartRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Asks the link's herder to restart connectors and tasks (Connect's {@link RestartRequest}, as
 * {@code POST /connectors/{name}/restart} does); a restart Connect refuses is logged.
 */
final class ConnectorRestarts {

    private static final Logger log = LoggerFactory.getLogger(ConnectorRestarts.class);
    private static final long RETRY_SECONDS = 5;

    private final LinkId link;
    private final Supplier<LinkHerder> herder;
    private final ScheduledExecutorService linkThread;
    private final BooleanSupplier stopped;

    /**
     * @param herder     the link's current herder, null while it has none
     * @param linkThread the link's thread, where retries run
     * @param stopped    true once the link was stopped: nothing is retried then
     */
    ConnectorRestarts(LinkId link, Supplier<LinkHerder> herder, ScheduledExecutorService linkThread,
                      BooleanSupplier stopped) {
        this.link = link;
        this.herder = herder;
        this.linkThread = linkThread;
        this.stopped = stopped;
    }

    /** Restarts the failed parts of a connector: the connector if it failed, and its failed tasks. */
    void failedParts(String connector) {
        log.info("Restarting failed parts of connector {} of link {}", connector, link);
        restart(new RestartRequest(connector, true, true));
    }

    /** Restarts the source connector's tasks, whatever their state (fresh producers, committed positions). */
    void sourceTasks() {
        restart(new RestartRequest(sourceConnector(), false, true));
    }

    /**
     * Restarts the source tasks, again every 5 s until Connect accepts it: until then the tasks copy
     * nothing of the re-created {@code topic} (StraitSourceTask holds it back).
     */
    void sourceTasksUntilDone(String topic) {
        LinkHerder current = herder.get();
        if (stopped.getAsBoolean()) {
            return;
        }
        if (current == null) {
            linkThread.schedule(() -> sourceTasksUntilDone(topic), RETRY_SECONDS, TimeUnit.SECONDS);
            return;
        }
        String name = sourceConnector();
        current.restartConnectorAndTasks(new RestartRequest(name, false, true), (error, result) -> {
            if (error != null && !stopped.getAsBoolean()) {
                log.warn("Could not restart connector {} of link {} for the re-created {}: {}; trying again in 5 s",
                        name, link, topic, ConnectErrors.rootMessage(error));
                linkThread.schedule(() -> sourceTasksUntilDone(topic), RETRY_SECONDS, TimeUnit.SECONDS);
            }
        });
    }

    private void restart(RestartRequest request) {
        herder.get().restartConnectorAndTasks(request, (error, result) -> {
            if (error != null) {
                log.warn("Could not restart connector {} of link {}: {}", request.connectorName(), link,
                        ConnectErrors.rootMessage(error));
            }
        });
    }

    String sourceConnector() {
        return MirrorSettings.connectorName(link, MirrorSourceConnector.class);
    }
}
