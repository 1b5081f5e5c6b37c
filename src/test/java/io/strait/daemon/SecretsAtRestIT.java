package io.strait.daemon;

import io.strait.testing.ChildDaemon;
import io.strait.testing.ChildProcesses;
import io.strait.testing.Http;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets at rest: a password reaches Strait in each of the ways a topology can give one, and each
 * works (records arrive), but none is stored. Every record of every topic on every cluster is read
 * (Kafka's internal topics, Connect's config, offsets and status topics, MirrorMaker 2's heartbeats,
 * checkpoints and offset syncs, the replicated topics) and searched for each password and its
 * base64; so are the daemon's log, {@code plan}, {@code verify}, {@code /status} and {@code /metrics}.
 *
 * <ul>
 *   <li>a: {@code ${A_JAAS}}, resolved by the HOCON loader from the environment;</li>
 *   <li>the link a->p's {@code mirror} block: a literal password for the source consumer (user {@code mirror});</li>
 *   <li>b: {@code "${env:B_JAAS}"}, Kafka's EnvVarConfigProvider;</li>
 *   <li>c: {@code "${file:.../c-client.properties:sasl.jaas.config}"}, Kafka's FileConfigProvider;</li>
 *   <li>d: a JAAS line whose password is {@code ${directory:.../d-secrets:password}}, Kafka's
 *       DirectoryConfigProvider (a Kubernetes Secret mounted as files).</li>
 * </ul>
 * Links a->p (p takes no credentials), b->c and c->d, so that every secret is in some link's connector
 * configuration, as source and as target. The daemon is started, stopped, and started again as two
 * instances sharing the links (scale-out) after a partition was added on a: the tasks on each
 * instance resolve the stored placeholders from its own topology, the new task configurations are
 * stored with placeholders too, and the connector configurations are not written again.
 */
class SecretsAtRestIT {

    static final String PASSWORD_A = "pwA-7Hq2Lx9Wv4Zk1Rm3";
    static final String PASSWORD_MIRROR = "pwM-4Tn8Jc2Ye6Qb0Ud5";
    static final String PASSWORD_B = "pwB-3Kd9Fs1Pz7Vx5Ng2";
    static final String PASSWORD_C = "pwC-8Ur4Gm6Wq0Lh2Ts9";
    static final String PASSWORD_D = "pwD-5Bx1Nj7Ca3Ev9Ok4";
    static final Duration SETTLE = Duration.ofSeconds(120);
    static final int RECORDS = 20;

    @TempDir
    Path dir;

    @Test
    void noSecretIsStoredAnywhereAndEachKindOfSecretWorks() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("a's password from ${A_JAAS}", PASSWORD_A);
        secrets.put("the mirror block's literal password", PASSWORD_MIRROR);
        secrets.put("b's password from ${env:B_JAAS}", PASSWORD_B);
        secrets.put("c's password from ${file:...}", PASSWORD_C);
        secrets.put("d's password from ${directory:...}", PASSWORD_D);
        Map<String, String> needles = needles(secrets);

        try (TestClusters clusters = TestClusters.start("p")) {
            CompletableFuture.allOf(
                    sasl(clusters, "a", PASSWORD_A, Map.of("mirror", PASSWORD_MIRROR)),
                    sasl(clusters, "b", PASSWORD_B, Map.of()),
                    sasl(clusters, "c", PASSWORD_C, Map.of()),
                    sasl(clusters, "d", PASSWORD_D, Map.of())).get(180, TimeUnit.SECONDS);
            for (String alias : List.of("a", "b", "c")) {
                clusters.createTopic(alias, "orders", 2, Map.of());
                clusters.produce(alias, "orders", 2, alias, 0, RECORDS);
            }
            // A consumer group on a, so that a->p's checkpoint connector has a task (and a task config).
            clusters.admin("a").alterConsumerGroupOffsets("billing",
                    Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(5))).all().get(30, TimeUnit.SECONDS);

            Path cFile = Files.writeString(dir.resolve("c-client.properties"),
                    "sasl.jaas.config=" + jaas("strait", PASSWORD_C) + "\n");
            Path dSecrets = Files.createDirectories(dir.resolve("d-secrets"));
            Files.writeString(dSecrets.resolve("password"), PASSWORD_D);
            Path file = dir.resolve("secrets.conf");
            Files.writeString(file, topology(clusters, cFile, dSecrets));
            assertThat(Files.readString(file)).as("the topology file").doesNotContain(PASSWORD_A, PASSWORD_B,
                    PASSWORD_C, PASSWORD_D).contains(PASSWORD_MIRROR);
            Map<String, String> env = Map.of("A_JAAS", jaas("strait", PASSWORD_A), "B_JAAS", jaas("strait", PASSWORD_B));

            Path logs = Files.createDirectories(Path.of("target", "secrets-at-rest-it"));
            Files.deleteIfExists(logs.resolve("first.log"));
            Files.deleteIfExists(logs.resolve("second.log"));
            Files.deleteIfExists(logs.resolve("third.log"));
            List<String> texts = new ArrayList<>();
            // Kafka's and Connect's INFO lines too: they print every configuration they are given.
            List<String> kafkaInfo = List.of("-Dstrait.kafka.log.level=" + System.getProperty("secrets.kafka.log.level", "INFO"));
            ChildDaemon daemon = ChildDaemon.start(file, logs.resolve("first.log"), true, env, kafkaInfo);
            try {
                // a->p needs only a's ${A_JAAS} and the mirror block's literal: it runs on every version.
                await("a->p copies").atMost(SETTLE).until(() -> clusters.total("p", "a.orders") == RECORDS);
                assertNothingFound(scan(clusters), needles, "after a->p started");

                await("b->c copies with ${env:B_JAAS} and ${file:...}").atMost(SETTLE)
                        .until(() -> clusters.total("c", "b.orders") == RECORDS);
                await("c->d copies with ${file:...} and ${directory:...}").atMost(SETTLE)
                        .until(() -> clusters.total("d", "c.orders") == RECORDS);
                await("a->p's checkpoint connector has its task").atMost(SETTLE).pollInterval(Duration.ofSeconds(2)).until(() ->
                        keys(clusters, "p", "mm2-configs.a.internal").stream().anyMatch(k -> k.startsWith("task-a->p.checkpoint-")));
                texts.add(Http.get(daemon.httpPort(), "/status").body());
                texts.add(Http.get(daemon.httpPort(), "/metrics").body());
            } finally {
                daemon.stop();
            }

            // Started again, each link reads its stored configurations, placeholders and all, and resolves them
            // anew; with two instances (scale-out), the tasks that run on either resolve them from its own topology.
            // A partition more on a: a->p's task configurations are written again, by whichever instance leads.
            clusters.addPartitions("a", "orders", 3);
            List<ChildDaemon> instances = ChildDaemon.startTogether(file,
                    List.of(logs.resolve("second.log"), logs.resolve("third.log")), true, env, kafkaInfo);
            ChildDaemon again = instances.get(0);
            ChildDaemon other = instances.get(1);
            try {
                clusters.produce("a", "orders", 3, "a", RECORDS, RECORDS);
                for (String alias : List.of("b", "c")) {
                    clusters.produce(alias, "orders", 2, alias, RECORDS, RECORDS);
                }
                await("every task runs, on both instances").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            Map<String, String> tasks = tasks(again);
                            // 2 source tasks a link, a heartbeat task, and a checkpoint task for a's group.
                            assertThat(tasks).as("tasks").hasSize(10)
                                    .allSatisfy((task, state) -> assertThat(state).as(task).startsWith("RUNNING "));
                            assertThat(tasks.values()).as("workers running the tasks")
                                    .anyMatch(s -> s.contains(" " + again.workerId("x").replace("/x", "/")))
                                    .anyMatch(s -> s.contains(" " + other.workerId("x").replace("/x", "/")));
                        });
                await("a->p copies after a restart").atMost(SETTLE).until(() -> clusters.total("p", "a.orders") == 2 * RECORDS);
                await("b->c copies after a restart").atMost(SETTLE).until(() -> clusters.total("c", "b.orders") == 2 * RECORDS);
                await("c->d copies after a restart").atMost(SETTLE).until(() -> clusters.total("d", "c.orders") == 2 * RECORDS);
                System.out.println("[secrets] tasks after the restart, on two instances: " + tasks(again));
                texts.add(Http.get(again.httpPort(), "/status").body());
                texts.add(Http.get(again.httpPort(), "/metrics").body());
                texts.add(Http.get(other.httpPort(), "/status").body());
                texts.add(Http.get(other.httpPort(), "/metrics").body());
            } finally {
                other.stop();
                again.stop();
            }
            ReplicationChecks.assertAllArrivedInOrder(clusters, "p", "a.orders", "a", "orders");
            ReplicationChecks.assertAllArrivedInOrder(clusters, "c", "b.orders", "b", "orders");
            ReplicationChecks.assertAllArrivedInOrder(clusters, "d", "c.orders", "c", "orders");

            // Strait's own clients resolve Kafka's placeholders too: plan asks every cluster, verify reads them.
            String plan = run(List.of("plan", file.toString()), env, 0);
            assertThat(plan).contains("a.orders", "b.orders", "c.orders").doesNotContain("UNREACHABLE");
            String verify = run(List.of("verify", file.toString()), env, 0);
            texts.add(plan);
            texts.add(verify);
            texts.add(Files.readString(logs.resolve("first.log")));
            texts.add(Files.readString(logs.resolve("second.log")));
            texts.add(Files.readString(logs.resolve("third.log")));

            Map<String, Map<String, List<ConsumerRecord<byte[], byte[]>>>> everything = scan(clusters);
            assertNothingFound(everything, needles, "at the end");
            for (String text : texts) {
                needles.forEach((what, needle) -> assertThat(text).as("%s in the log, plan, verify, /status or /metrics",
                        what).doesNotContain(needle));
            }

            // The scan read what it had to: the connector and task configurations, with placeholders.
            String configsOnP = text(everything.get("p").get("mm2-configs.a.internal"));
            assertThat(configsOnP).contains("${strait:a:sasl.jaas.config}", "${strait:a->p:source.consumer.sasl.jaas.config}");
            assertThat(keys(everything.get("p").get("mm2-configs.a.internal")))
                    .contains("task-a->p-0", "task-a->p.checkpoint-0", "task-a->p.heartbeat-0");
            assertThat(text(everything.get("c").get("mm2-configs.b.internal")))
                    .contains("${strait:b:sasl.jaas.config}", "${strait:c:sasl.jaas.config}");
            assertThat(text(everything.get("d").get("mm2-configs.c.internal")))
                    .contains("${strait:c:sasl.jaas.config}", "${strait:d:sasl.jaas.config}");
            // Written once: the second start found them up to date (placeholders compared as stored, not resolved).
            Map<String, Long> connectorWrites = new TreeMap<>();
            for (String[] where : new String[][] {{"p", "a"}, {"c", "b"}, {"d", "c"}}) {
                for (String key : keys(everything.get(where[0]).get("mm2-configs." + where[1] + ".internal"))) {
                    if (key.startsWith("connector-")) {
                        connectorWrites.merge(key, 1L, Long::sum);
                    }
                }
            }
            assertThat(connectorWrites).hasSize(9).allSatisfy((key, writes) -> assertThat(writes).as(key).isEqualTo(1));
            long records = everything.values().stream().flatMap(t -> t.values().stream()).mapToLong(List::size).sum();
            System.out.println("[secrets] " + records + " records in " + everything.values().stream().mapToInt(Map::size).sum()
                    + " topics on 5 clusters, the daemon's logs, plan, verify, /status and /metrics: none holds any of "
                    + secrets.size() + " passwords or their base64; every link copied " + 2 * RECORDS + " records");
        }
    }

    /** Each task of every link, as one instance reports it: "link connector-id" to "STATE worker-id". */
    private static Map<String, String> tasks(ChildDaemon instance) throws Exception {
        com.fasterxml.jackson.databind.JsonNode status = Http.get(instance.httpPort(), "/status").json();
        Map<String, String> tasks = new TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode link : status.path("links")) {
            for (com.fasterxml.jackson.databind.JsonNode connector : link.path("connectors")) {
                for (com.fasterxml.jackson.databind.JsonNode task : connector.path("tasks")) {
                    tasks.put(connector.path("name").asText() + "-" + task.path("id").asText(),
                            task.path("state").asText() + " " + task.path("worker").asText());
                }
            }
        }
        return tasks;
    }

    private static CompletableFuture<Void> sasl(TestClusters clusters, String alias, String password,
                                                Map<String, String> moreUsers) {
        return CompletableFuture.runAsync(() -> {
            try {
                clusters.addSaslBroker(alias, password, moreUsers);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String topology(TestClusters clusters, Path cFile, Path dSecrets) {
        String sasl = "\"security.protocol\" = SASL_PLAINTEXT, \"sasl.mechanism\" = PLAIN, ";
        return "strait {\n"
                + "  clusters {\n"
                + "    p { bootstrap-servers = \"" + clusters.bootstrap("p") + "\" }\n"
                + "    a { bootstrap-servers = \"" + clusters.bootstrap("a") + "\"\n"
                + "        kafka-clients { " + sasl + "\"sasl.jaas.config\" = ${A_JAAS} } }\n"
                + "    b { bootstrap-servers = \"" + clusters.bootstrap("b") + "\"\n"
                + "        kafka-clients { " + sasl + "\"sasl.jaas.config\" = \"${env:B_JAAS}\" } }\n"
                + "    c { bootstrap-servers = \"" + clusters.bootstrap("c") + "\"\n"
                + "        kafka-clients { " + sasl + "\"sasl.jaas.config\" = \"${file:" + cFile + ":sasl.jaas.config}\" } }\n"
                + "    d { bootstrap-servers = \"" + clusters.bootstrap("d") + "\"\n"
                + "        kafka-clients { " + sasl + "\"sasl.jaas.config\" = \""
                + jaas("strait", "${directory:" + dSecrets + ":password}").replace("\"", "\\\"") + "\" } }\n"
                + "  }\n"
                + "  flows {\n"
                + "    ap { type = link, source = a, target = p, topics = [orders], refresh-interval = 2s, tasks = 2\n"
                + "         mirror { \"source.consumer.sasl.jaas.config\" = \""
                + jaas("mirror", PASSWORD_MIRROR).replace("\"", "\\\"") + "\" } }\n"
                + "    bc { type = link, source = b, target = c, topics = [orders], refresh-interval = 2s, tasks = 2 }\n"
                + "    cd { type = link, source = c, target = d, topics = [orders], refresh-interval = 2s, tasks = 2 }\n"
                + "  }\n"
                + "}\n";
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** What to search for: each secret, and the parts of its base64 (standard and URL-safe) that any encoding of it holds. */
    static Map<String, String> needles(Map<String, String> secrets) {
        Map<String, String> needles = new LinkedHashMap<>();
        secrets.forEach((what, secret) -> {
            needles.put(what, secret);
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            for (int shift = 0; shift < 3; shift++) {
                byte[] shifted = new byte[shift + bytes.length];
                System.arraycopy(bytes, 0, shifted, shift, bytes.length);
                // The first group mixes in bytes before the secret when shifted; a last partial group, those after it.
                int from = shift == 0 ? 0 : 4;
                int to = 4 * (shifted.length / 3);
                needles.put("base64 of " + what + " (shift " + shift + ")",
                        Base64.getEncoder().encodeToString(shifted).substring(from, to));
                needles.put("url-safe base64 of " + what + " (shift " + shift + ")",
                        Base64.getUrlEncoder().encodeToString(shifted).substring(from, to));
            }
        });
        return needles;
    }

    /** Every record of every topic of every cluster, Kafka's internal topics included, uncommitted ones too. */
    private static Map<String, Map<String, List<ConsumerRecord<byte[], byte[]>>>> scan(TestClusters clusters)
            throws Exception {
        Map<String, Map<String, List<ConsumerRecord<byte[], byte[]>>>> all = new TreeMap<>();
        for (String alias : clusters.aliases()) {
            all.put(alias, readEverything(clusters, alias));
        }
        return all;
    }

    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> readEverything(TestClusters clusters, String alias)
            throws Exception {
        var names = clusters.admin(alias).listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(30, TimeUnit.SECONDS);
        Map<String, TopicDescription> topics = clusters.admin(alias).describeTopics(names).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        topics.values().forEach(t -> t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partition()))));
        Map<String, List<ConsumerRecord<byte[], byte[]>>> records = new TreeMap<>();
        names.forEach(name -> records.put(name, new ArrayList<>()));
        Map<String, Object> config = clusters.clientConfig(alias);
        config.putAll(Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading every topic of %s within 60 s", alias).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records.get(record.topic()).add(record);
                }
            }
        }
        return records;
    }

    private static void assertNothingFound(Map<String, Map<String, List<ConsumerRecord<byte[], byte[]>>>> everything,
                                           Map<String, String> needles, String when) {
        List<String> found = new ArrayList<>();
        everything.forEach((alias, topics) -> topics.forEach((topic, records) -> {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                List<byte[]> parts = new ArrayList<>();
                parts.add(record.key());
                parts.add(record.value());
                for (Header header : record.headers()) {
                    parts.add(header.key().getBytes(StandardCharsets.UTF_8));
                    parts.add(header.value());
                }
                for (byte[] part : parts) {
                    String bytes = part == null ? "" : new String(part, StandardCharsets.ISO_8859_1);
                    needles.forEach((what, needle) -> {
                        if (bytes.contains(new String(needle.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))) {
                            found.add(what + " in " + alias + ":" + topic + "-" + record.partition() + "@"
                                    + record.offset() + " (key " + (record.key() == null ? "null"
                                    : new String(record.key(), StandardCharsets.UTF_8)) + ")");
                        }
                    });
                }
            }
        }));
        assertThat(found).as("secrets found in Kafka topics " + when).isEmpty();
    }

    private static List<String> keys(TestClusters clusters, String alias, String topic) throws Exception {
        return keys(readEverything(clusters, alias).getOrDefault(topic, List.of()));
    }

    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8)).toList();
    }

    private static String text(List<ConsumerRecord<byte[], byte[]>> records) {
        StringBuilder text = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            text.append(record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8)).append('\n');
        }
        return text.toString();
    }

    /** Runs a strait command in its own JVM with the given environment; returns what it printed. */
    private String run(List<String> args, Map<String, String> env, int exitCode) throws Exception {
        Path out = dir.resolve("command-" + System.nanoTime() + ".out");
        Process process = ChildProcesses.java(List.of("-Xmx256m"), "io.strait.cli.StraitCommand", args, env, out);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(out);
        assertThat(process.exitValue()).as(printed).isEqualTo(exitCode);
        return printed;
    }
}
