package io.strait.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real single-node KRaft cluster (broker and controller in one process) in its own JVM on
 * 127.0.0.1, formatted and started the way Kafka's scripts do: {@code kafka.tools.StorageTool
 * format}, then {@code kafka.Kafka server.properties}. Its data directory is deleted on close.
 */
final class ChildBroker implements AutoCloseable {

    final String name;
    private final Path dir;
    private final int port;
    private final ChildJvm jvm;
    private Admin admin;
    /** Its request counters over JMX; empty if attaching failed. */
    private Optional<BrokerMetrics> metrics = Optional.empty();

    private ChildBroker(String name, Path dir, int port, ChildJvm jvm) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.jvm = jvm;
    }

    static ChildBroker start(String name, Path workDir, String classpath, List<String> jvmOptions) throws Exception {
        long begin = System.nanoTime();
        Path dir = Files.createDirectories(workDir.resolve("broker-" + name));
        int port = freePort();
        int controllerPort = freePort();
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                // A single broker: every replication factor is 1.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "default.replication.factor=1",
                "num.partitions=1",
                // As in Kafka's sample config/server.properties.
                "group.initial.rebalance.delay.ms=0",
                // Topics come only from the benchmark and the replicators, never from a stray client.
                "auto.create.topics.enable=false",
                ""));
        Path log4j = BenchLogging.childConfig(workDir, "WARN");
        ChildJvm.run("format-" + name, classpath, List.of("-Xmx256m", "-Dlog4j2.configurationFile=" + log4j),
                "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()),
                dir.resolve("format.log"), Duration.ofMinutes(2));
        List<String> options = new java.util.ArrayList<>(jvmOptions);
        options.add("-Dlog4j2.configurationFile=" + log4j);
        ChildJvm jvm = ChildJvm.start("broker-" + name, classpath, options, "kafka.Kafka",
                List.of(properties.toString()), workDir.resolve("logs").resolve("broker-" + name + ".log"));
        ChildBroker broker = new ChildBroker(name, dir, port, jvm);
        try {
            broker.awaitUp(Duration.ofSeconds(90));
            broker.awaitGroupCoordinator(Duration.ofSeconds(90));
            broker.metrics = BrokerMetrics.attach(name, jvm.pid());
            broker.counts(); // a first read now, so that the reads during a copy run do not load the JMX client
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        Bench.log("Broker %s up at %s in %.1f s", name, broker.bootstrapServers(), (System.nanoTime() - begin) / 1e9);
        return broker;
    }

    private void awaitUp(Duration timeout) throws Exception {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin-" + name));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!jvm.alive()) {
                throw new IllegalStateException("broker " + name + " exited:\n" + jvm.tail(40));
            }
            try {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("broker " + name + " not up within " + timeout.toSeconds() + " s:\n"
                        + jvm.tail(40));
            }
            Thread.sleep(200);
        }
    }

    /**
     * Has the broker create {@code __consumer_offsets} and load its group coordinator, as every
     * cluster in service has. Otherwise the first replicator that joins a group (Connect's worker
     * group: MirrorMaker 2 and Strait, not the raw copy) would wait about 2 s for it, a cost of a
     * brand-new cluster that no real deployment pays.
     */
    private void awaitGroupCoordinator(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                admin.describeConsumerGroups(List.of("bench-warm-up")).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return; // the coordinator answered
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + name + " has no group coordinator after "
                            + timeout.toSeconds() + " s: " + e.getCause());
                }
                Thread.sleep(100);
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + name + " has no group coordinator after "
                            + timeout.toSeconds() + " s: " + e);
                }
                Thread.sleep(100);
            }
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Admin admin() {
        return admin;
    }

    ChildJvm jvm() {
        return jvm;
    }

    /** Its cumulative request and byte counters now; empty if JMX is not available. */
    Optional<BrokerMetrics.Counts> counts() {
        return metrics.flatMap(BrokerMetrics::read);
    }

    void createTopic(String topic, int partitions) throws Exception {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all()
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        // Wait until every partition has a leader.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                if (description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                // not yet visible
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leaders after 60 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Leaves only the topics in {@code keep} (and the broker's own {@code __} topics), and no
     * consumer group: what a replicator created here (MirrorMaker 2's heartbeats, offset syncs,
     * internal topics of its reverse herder) does not reach the next one.
     */
    void keepOnly(Set<String> keep) throws Exception {
        Set<String> doomed = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> !t.startsWith("__") && !keep.contains(t))
                .collect(Collectors.toSet());
        if (!doomed.isEmpty()) {
            admin.deleteTopics(doomed).all().get(60, TimeUnit.SECONDS);
        }
        List<String> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                .map(ConsumerGroupListing::groupId).toList();
        if (!groups.isEmpty()) {
            try {
                admin.deleteConsumerGroups(groups).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    Bench.log("Could not delete groups %s on %s: %s", groups, name, e.getCause());
                }
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().anyMatch(doomed::contains)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + doomed + " still on " + name + " after 60 s");
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        metrics.ifPresent(BrokerMetrics::close);
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        // Its data is thrown away: no need for a clean shutdown.
        jvm.close();
        deleteRecursively(dir.resolve("data"));
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            Bench.log("Could not delete %s: %s", path, e.getMessage());
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
