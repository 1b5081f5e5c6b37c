package io.strait.demo;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka cluster running inside this JVM on 127.0.0.1, with its data in
 * a temporary directory ({@code strait-<name>-*}) that is removed on close, once its broker has
 * stopped. Used by {@code strait demo} and by the tests; its classes (Kafka's test kit) are not on
 * the daemon's class path.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaCluster.class);

    private final String name;
    private final KafkaClusterTestKit kafka;
    private boolean closed;

    private LocalKafkaCluster(String name, KafkaClusterTestKit kafka) {
        this.name = name;
        this.kafka = kafka;
    }

    /** Starts a cluster and waits until its broker is ready (4 to 7 s). */
    public static LocalKafkaCluster start(String name) throws Exception {
        return start(name, java.util.Map.of());
    }

    /**
     * Starts a cluster whose node also has the given broker settings (server.properties names, for
     * example {@code create.topic.policy.class.name}), and waits until its broker is ready.
     */
    public static LocalKafkaCluster start(String name, java.util.Map<String, String> brokerConfig) throws Exception {
        long begin = System.nanoTime();
        // A directory of its own: the test kit's default one is deleted by a JVM shutdown hook of its
        // own (TestUtils.tempDirectory), which runs beside the demo's on SIGTERM and pulled the data
        // from under brokers that were still serving links on their way out (KafkaClusterTestKit's
        // close deletes this one after its broker and controller have stopped).
        java.nio.file.Path dataDirectory = java.nio.file.Files.createTempDirectory("strait-" + name + "-");
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setBaseDirectory(dataDirectory)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("default.replication.factor", "1");
        brokerConfig.forEach(builder::setConfigProp);
        KafkaClusterTestKit kafka = builder.build();
        try {
            quietly(kafka::format);
            kafka.startup();
            kafka.waitForReadyBrokers();
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        LocalKafkaCluster cluster = new LocalKafkaCluster(name, kafka);
        log.info("Started local Kafka cluster {} at {} in {} ms", name, cluster.bootstrapServers(),
                (System.nanoTime() - begin) / 1_000_000);
        return cluster;
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Kafka's formatter prints to standard output, which belongs to the command's own output. */
    private static void quietly(Step step) throws Exception {
        synchronized (System.class) {
            java.io.PrintStream out = System.out;
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                step.run();
            } finally {
                System.setOut(out);
            }
        }
    }

    public String name() {
        return name;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            kafka.close();
        } catch (Exception e) {
            log.warn("Closing local Kafka cluster {} failed", name, e);
        }
    }
}
