package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a link's two clusters whether they answer ({@code Admin.describeCluster}), on one admin
 * client per cluster ({@code client.id} {@code strait-probe-<link>-<alias>}) that the link's other
 * checks share and that is kept until {@link #close()}.
 */
final class ClusterProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterProbe.class);

    private final LinkId link;
    private final Topology topology;
    private final Duration requestTimeout;
    private final Map<String, Admin> admins = new HashMap<>();

    /**
     * @param requestTimeout the admin clients' request and API timeout
     */
    ClusterProbe(LinkId link, Topology topology, Duration requestTimeout) {
        this.link = link;
        this.topology = topology;
        this.requestTimeout = requestTimeout;
    }

    /** The probe's admin client of a cluster of the link, created on first use. */
    synchronized Admin admin(String alias) {
        return admins.computeIfAbsent(alias, a ->
                Admin.create(ClientConfigs.admin(topology.cluster(a), "strait-probe-" + link + "-" + a, requestTimeout)));
    }

    /**
     * Asks the link's target and source at once whether they answer, waiting at most {@code wait}
     * for each.
     *
     * @return the first that does not, target first, as "cannot reach cluster A at host:port: why";
     *         empty when both answer
     */
    Optional<String> unreachableCluster(Duration wait) {
        KafkaFuture<String> target = admin(link.target()).describeCluster().clusterId();
        KafkaFuture<String> source = admin(link.source()).describeCluster().clusterId();
        return answer(link.target(), target, wait).or(() -> answer(link.source(), source, wait));
    }

    private Optional<String> answer(String alias, KafkaFuture<String> clusterId, Duration wait) {
        String where = "cannot reach cluster " + alias + " at " + topology.cluster(alias).bootstrapServers();
        try {
            clusterId.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of(where + ": no answer within " + wait.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(where + ": " + ConnectErrors.rootMessage(e));
        }
    }

    /**
     * Asks the link's target for the coordinator of the link's Kafka Connect group
     * ({@code Admin.describeConsumerGroups}, whose first request is Kafka's FindCoordinator), and
     * returns without waiting for the answer, which is not used. On a cluster where no group was
     * ever used, that request makes the broker create its {@code __consumer_offsets} topic and load
     * its partitions: 0.7 s on a fresh one-broker cluster, during which the herder's join would
     * wait. Asked before the herder is built, the broker does it while the herder creates its
     * topics and reads them (pinned by ClusterProbeIT). Elsewhere it costs two small requests; a
     * failure (no DESCRIBE on the group, say) is logged at DEBUG and changes nothing, for the herder
     * asks again when it joins.
     */
    void findGroupCoordinator(String groupId) {
        admin(link.target()).describeConsumerGroups(List.of(groupId)).all().whenComplete((groups, e) -> {
            if (e != null) {
                log.debug("Link {}: asking {} for the coordinator of group {} ahead of the herder: {}", link,
                        link.target(), groupId, e.toString());
            }
        });
    }

    /** Closes the admin clients, waiting at most 1 s for each. */
    @Override
    public synchronized void close() {
        admins.values().forEach(admin -> admin.close(Duration.ofSeconds(1)));
    }
}
