package io.strait.demo;

import io.strait.daemon.StraitDaemon;
import io.strait.replication.LinkReplicator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.replication.ReplicationPlanner.LinkPlan;
import io.strait.replication.ReplicationPlanner.TopicPlan;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code strait demo}: three real Kafka clusters in this JVM, a topology that shows the shapes
 * (east and west active-active, both fanned in to hub), sample records produced continuously,
 * and a table every few seconds of what each link copies.
 */
public final class Demo {

    static final List<String> CLUSTERS = List.of("east", "west", "hub");
    static final String TOPIC = "orders";
    static final int PARTITIONS = 3;

    private final PrintWriter out;
    private final Duration duration;
    private final Duration reportEvery;
    private final int recordsPerSecond;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);

    /**
     * @param duration how long to run, or null to run until Ctrl-C
     */
    public Demo(PrintWriter out, Duration duration, Duration reportEvery, int recordsPerSecond) {
        this.out = out;
        this.duration = duration;
        this.reportEvery = reportEvery;
        this.recordsPerSecond = recordsPerSecond;
    }

    /** The demo's topology, for clusters at the given addresses. */
    static String topology(Map<String, String> bootstrap) {
        return """
                # Strait demo: east and west replicate to each other (active-active),
                # and both are collected into hub.
                strait {
                  clusters {
                    east { bootstrap-servers = "%s" }
                    west { bootstrap-servers = "%s" }
                    hub  { bootstrap-servers = "%s" }
                  }
                  flows {
                    active  { type = bidirectional, clusters = [east, west] }
                    collect { type = fan-in, sources = [east, west], target = hub }
                  }
                  # Pick up new topics quickly in the demo.
                  flow-defaults.refresh-interval = 5s
                }
                """.formatted(bootstrap.get("east"), bootstrap.get("west"), bootstrap.get("hub"));
    }

    public int run() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                cleanedUp.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "strait-demo-shutdown"));

        say("Strait demo: starting 3 local Kafka clusters (east, west, hub) on 127.0.0.1 ...");
        Map<String, LocalKafkaCluster> clusters = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLUSTERS.size());
        StraitDaemon daemon = null;
        Map<String, Admin> admins = new HashMap<>();
        Thread producer = null;
        try {
            Map<String, Future<LocalKafkaCluster>> starting = new HashMap<>();
            CLUSTERS.forEach(name -> starting.put(name, pool.submit(() -> LocalKafkaCluster.start(name))));
            for (String name : CLUSTERS) {
                clusters.put(name, starting.get(name).get());
            }
            Map<String, String> bootstrap = new HashMap<>();
            clusters.forEach((name, cluster) -> bootstrap.put(name, cluster.bootstrapServers()));
            clusters.forEach((name, cluster) -> admins.put(name, Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))));
            for (String name : List.of("east", "west")) {
                admins.get(name).createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            }
            String text = topology(bootstrap);
            Topology topology = new TopologyLoader(Map.of()).parse(text, "demo topology");
            say("");
            say("Topology (the file you would write):");
            text.lines().forEach(line -> say("  " + line));
            say("Links: " + topology.links().keySet().stream().map(LinkId::toString).collect(Collectors.joining(", ")));
            say("Producing " + recordsPerSecond + " records/s to '" + TOPIC + "' (" + PARTITIONS
                    + " partitions) on east and on west. " + (duration == null ? "Ctrl-C stops the demo."
                    : "Stopping after " + duration.toSeconds() + " s."));
            say("");

            long started = System.nanoTime();
            daemon = new StraitDaemon(topology);
            daemon.start();
            producer = startProducer(bootstrap);

            ReplicationPlanner planner = new ReplicationPlanner(new MirrorSettings(topology), Duration.ofSeconds(5));
            boolean firstSeen = false;
            long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            while (!stopRequested.await(reportEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                long copied = report(daemon, planner, admins, (System.nanoTime() - started) / 1_000_000_000);
                if (!firstSeen && copied > 0) {
                    firstSeen = true;
                    say(String.format("First replicated records arrived within %.1f s of Strait's start.",
                            (System.nanoTime() - started) / 1e9));
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
            }
            return 0;
        } finally {
            say("Stopping: links, then clusters (their data is deleted) ...");
            if (producer != null) {
                producer.interrupt();
                producer.join(5000);
            }
            if (daemon != null) {
                daemon.stop();
            }
            admins.values().forEach(Admin::close);
            clusters.values().forEach(LocalKafkaCluster::close);
            pool.shutdownNow();
            say("Demo stopped.");
            cleanedUp.countDown();
        }
    }

    private Thread startProducer(Map<String, String> bootstrap) {
        Thread thread = new Thread(() -> {
            Map<String, KafkaProducer<String, String>> producers = new HashMap<>();
            for (String name : List.of("east", "west")) {
                producers.put(name, new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get(name),
                        ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer()));
            }
            long sequence = 0;
            int perTick = Math.max(1, recordsPerSecond / 10);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    for (int i = 0; i < perTick; i++, sequence++) {
                        for (String name : List.of("east", "west")) {
                            ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC,
                                    "order-" + sequence, "{\"order\":" + sequence + ",\"placed-in\":\"" + name + "\"}");
                            record.headers().add("origin", name.getBytes(StandardCharsets.UTF_8));
                            producers.get(name).send(record);
                        }
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // Stopping is by interrupt; clear it so that the producers close cleanly.
                Thread.interrupted();
                producers.values().forEach(p -> p.close(Duration.ofSeconds(5)));
            }
        }, "strait-demo-producer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Prints one table of every link; returns the records copied in all. */
    private long report(StraitDaemon daemon, ReplicationPlanner planner, Map<String, Admin> admins, long seconds)
            throws Exception {
        Map<LinkId, LinkReplicator.Status> statuses = daemon.statuses();
        List<String[]> rows = new ArrayList<>();
        long total = 0;
        for (LinkPlan plan : planner.plan()) {
            LinkReplicator.Status status = statuses.get(plan.link());
            long copied = 0;
            List<String> topics = new ArrayList<>();
            for (TopicPlan topic : plan.replicated()) {
                if (topic.heartbeats()) {
                    continue;
                }
                topics.add(topic.sourceTopic() + " -> " + topic.targetTopic());
                if (topic.targetExists()) {
                    copied += records(admins.get(plan.link().target()), topic.targetTopic(), topic.targetPartitions());
                }
            }
            total += copied;
            rows.add(new String[] {plan.link().toString(), status.state().name(), Long.toString(copied),
                topics.isEmpty() ? "(none yet)" : String.join(", ", topics)});
        }
        say(String.format("[%4ds] %-10s %-9s %8s  %s", seconds, "link", "state", "copied", "topics (source -> target)"));
        for (String[] row : rows) {
            say(String.format("       %-10s %-9s %8s  %s", (Object[]) row));
        }
        return total;
    }

    private static long records(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }
}
