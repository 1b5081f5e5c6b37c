package io.strait.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real single-node KRaft broker in its own JVM, on fixed loopback ports and a data directory
 * that survives a stop, so that a test can take it away and bring it back like a failed host.
 */
public final class ChildKafkaBroker implements TestClusters.Broker {

    private final String name;
    private final Path dir;
    private final int port;
    private Process process;

    private final Map<String, Object> clientProperties;

    private ChildKafkaBroker(String name, Path dir, int port, Map<String, Object> clientProperties) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.clientProperties = clientProperties;
    }

    /** What a test client needs to connect (the admin user, on a SASL broker). */
    @Override
    public Map<String, Object> clientProperties() {
        return clientProperties;
    }

    /** Formats storage and starts the broker; waits until it answers. */
    public static ChildKafkaBroker start(String name) throws Exception {
        return start(name, null);
    }

    /**
     * A broker whose client listener takes SASL/PLAIN, with the users {@code admin} (password
     * {@code admin-pw}) and {@code strait} (password {@code straitPassword}).
     */
    public static ChildKafkaBroker startSasl(String name, String straitPassword) throws Exception {
        return start(name, straitPassword, Map.of());
    }

    /** As {@link #startSasl(String, String)}, with more users, by name and password. */
    public static ChildKafkaBroker startSasl(String name, String straitPassword, Map<String, String> moreUsers)
            throws Exception {
        return start(name, straitPassword, moreUsers);
    }

    private static ChildKafkaBroker start(String name, String saslPassword) throws Exception {
        return start(name, saslPassword, Map.of());
    }

    private static ChildKafkaBroker start(String name, String saslPassword, Map<String, String> moreUsers)
            throws Exception {
        Path dir = Files.createTempDirectory("strait-broker-" + name + "-");
        int[] ports = ChildProcesses.freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        String protocol = saslPassword == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        Path properties = dir.resolve("server.properties");
        String sasl = saslPassword == null ? "" : String.join("\n",
                "sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config="
                        + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\""
                        + " password=\"admin-pw\" user_admin=\"admin-pw\" user_strait=\"" + saslPassword + "\""
                        + moreUsers.entrySet().stream().map(u -> " user_" + u.getKey() + "=\"" + u.getValue() + "\"")
                                .collect(java.util.stream.Collectors.joining()) + ";",
                "");
        Files.writeString(properties, sasl + String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + protocol + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + protocol + "://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=" + protocol + ":" + protocol + ",CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=" + protocol,
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Started again after a SIGKILL, the broker registers only once the controller (the same
                // process) has let the session of its last registration expire (KAFKA-19130):
                // 9 s by default, 4 s here.
                "broker.heartbeat.interval.ms=1000",
                "broker.session.timeout.ms=4000",
                "default.replication.factor=1",
                "num.partitions=1",
                ""));
        format(properties, dir.resolve("format.log"));
        Map<String, Object> clients = saslPassword == null ? Map.of() : Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"admin\" password=\"admin-pw\";");
        ChildKafkaBroker broker = new ChildKafkaBroker(name, dir, port, clients);
        broker.startProcess();
        return broker;
    }

    /**
     * Formats the broker's storage as {@code kafka-storage.sh format} does, with Kafka's own
     * StorageTool run in this JVM (a JVM of its own took about 2 s of CPU per broker).
     */
    private static void format(Path properties, Path log) throws IOException {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        int exitCode;
        try (java.io.PrintStream out = new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8)) {
            exitCode = kafka.tools.StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", properties.toString()}, out);
        }
        Files.write(log, printed.toByteArray());
        if (exitCode != 0) {
            throw new IllegalStateException("kafka.tools.StorageTool format failed (" + exitCode + "):\n"
                    + printed.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Starts the broker again after {@link #kill()} or {@link #stop()}, with its data. */
    public void startProcess() throws Exception {
        process = ChildProcesses.java(List.of("-Xmx512m", "-XX:+UseSerialGC"), "kafka.Kafka",
                List.of(dir.resolve("server.properties").toString()), Map.of(), dir.resolve("broker.log"));
        Map<String, Object> config = new java.util.HashMap<>(clientProperties);
        config.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000));
        try (Admin admin = Admin.create(config)) {
            await("broker " + name + " up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("broker " + name + " exited:\n"
                                    + Files.readString(dir.resolve("broker.log")));
                        }
                        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1;
                    });
        }
    }

    /** Takes the broker away at once (SIGKILL), as a crashed host. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the broker cleanly (SIGTERM). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                kill();
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
