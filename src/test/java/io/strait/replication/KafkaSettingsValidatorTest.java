package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.PassThroughBlock;
import io.strait.topology.PassThroughBlock.Kind;
import io.strait.topology.PassThroughBlock.Setting;
import io.strait.topology.Problem;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Raw Kafka settings in every block that passes them through, checked against Kafka's own definitions
 * when the topology loads: a table of good and bad keys and values, through the real loader, so each
 * finding is asserted with its {@code file:line} and severity.
 */
class KafkaSettingsValidatorTest {

    private static final Map<String, Integer> LINES = Map.of(
            "clients", 3, "cluster-defaults", 6, "mirror", 7, "flow-defaults", 8, "worker", 9);
    /** One setting goes in one block; cluster b inherits cluster-defaults, so a finding there must show once. */
    private static final String TEMPLATE = """
            strait {
              clusters {
                a { bootstrap-servers = "a:9092", kafka-clients { %s } }
                b { bootstrap-servers = "b:9092" }
              }
              cluster-defaults.kafka-clients { %s }
              flows { dr { type = link, source = a, target = b, mirror { %s } }, back { type = link, source = b, target = a } }
              flow-defaults.mirror { %s }
              engine.worker { %s }
            }
            """;

    /**
     * block | setting as written | ok, error or warning | the message after {@code t.conf:LINE: }; parts
     * separated by {@code …} appear in that order.
     */
    private static final String TABLE = """
            clients          | "acks" = sometimes                          | error   | Invalid value sometimes for acks in kafka-clients of cluster a: String must be one of: all, -1, 0, 1
            clients          | "acks" = all                                | ok      |
            clients          | "securty.protocol" = SSL                    | error   | Unknown key securty.protocol in kafka-clients of cluster a: no Kafka client (producer, consumer, admin) has this setting (did you mean security.protocol?)
            clients          | "security.protocol" = SSL                   | ok      |
            clients          | "security.protocol" = TLS                   | error   | Invalid value TLS for security.protocol in kafka-clients of cluster a: String must be one of (case insensitive): …SASL_SSL
            clients          | "max.poll.records" = 500                    | ok      |
            clients          | "max.poll.records" = lots                   | error   | Invalid value lots for max.poll.records in kafka-clients of cluster a: Not a number of type INT; write a whole number, for example 500 (Kafka's default)
            clients          | "request.timeout.ms" = 30s                  | error   | Invalid value 30s for request.timeout.ms…Not a number of type INT; Kafka takes a number of milliseconds here: write 30000
            clients          | "retries" = 3                               | ok      |
            clients          | "retries" = -1                              | error   | Invalid value -1 for retries in kafka-clients of cluster a: Value must be at least 0
            clients          | "linger.ms" = -5                            | error   | Invalid value -5 for linger.ms in kafka-clients of cluster a: Value must be at least 0
            clients          | "producer.linger.ms" = 20                   | ok      |
            clients          | "consumer.fetch.min.bytes" = none           | error   | Invalid value none for consumer.fetch.min.bytes in kafka-clients of cluster a: Not a number of type INT; write a whole number of bytes, for example 1
            clients          | "consumer.acks" = all                       | error   | Unknown key consumer.acks in kafka-clients of cluster a: no Kafka client (producer, consumer, admin) has this setting
            clients          | "consumer.group.id" = mine                  | error   | Invalid key consumer.group.id in kafka-clients of cluster a: Strait sets group.id itself; remove the key
            clients          | "offset.flush.interval.ms" = 1000           | warning | Key offset.flush.interval.ms in kafka-clients of cluster a is a Kafka Connect worker setting, which Kafka's clients ignore: write it in engine.worker
            clients          | "emit.heartbeats.enabled" = false           | warning | Key emit.heartbeats.enabled in kafka-clients of cluster a is a MirrorMaker 2 connector setting, which Kafka's clients ignore: write it in a flow's mirror block (or in flow-defaults)
            clients          | "isolation.level" = read_uncommitted        | error   | Invalid value read_uncommitted for isolation.level in kafka-clients of cluster a: Strait copies committed records only…remove the key
            clients          | "isolation.level" = READ_UNCOMMITTED        | error   | Invalid value READ_UNCOMMITTED for isolation.level in kafka-clients of cluster a: String must be one of: read_committed, read_uncommitted
            clients          | "isolation.level" = read_committed          | ok      |
            clients          | "consumer.isolation.level" = read_uncommitted | error | Invalid value read_uncommitted for consumer.isolation.level in kafka-clients of cluster a: Strait copies committed records only
            clients          | "sasl.jaas.config" = "${file:/etc/strait/jaas.properties:west}" | ok |
            clients          | "request.timeout.ms" = "${env:TIMEOUT_MS}"  | ok      |
            clients          | "securty.protocol" = "${env:PROTOCOL}"      | error   | Unknown key securty.protocol in kafka-clients of cluster a…(did you mean security.protocol?)
            clients          | "metrics.context.region" = eu               | ok      |
            clients          | "ssl.endpoint.identification.algorithm" = "" | ok     |
            clients          | "config.providers" = env                    | error   | Invalid key config.providers in kafka-clients of cluster a: Strait sets it, with Kafka's providers env, file and directory
            clients          | "sasl.login.callback.handler.class" = com.example.NoSuchHandler | error | Invalid value com.example.NoSuchHandler for sasl.login.callback.handler.class in kafka-clients of cluster a: Class com.example.NoSuchHandler could not be found.
            cluster-defaults | "acks" = sometimes                          | error   | Invalid value sometimes for acks in kafka-clients of cluster-defaults: String must be one of: all, -1, 0, 1
            cluster-defaults | "securty.protocol" = SSL                    | error   | Unknown key securty.protocol in kafka-clients of cluster-defaults…(did you mean security.protocol?)
            cluster-defaults | "linger.ms" = 5                             | ok      |
            cluster-defaults | "fetch.max.wait.ms" = "${env:WAIT}"         | ok      |
            worker           | "offset.flush.interval.ms" = soon           | error   | Invalid value soon for offset.flush.interval.ms in engine.worker: Not a number of type LONG; write a whole number of milliseconds, for example 60000 (Kafka's default)
            worker           | "offset.flush.interval.ms" = 10s            | error   | Invalid value 10s for offset.flush.interval.ms in engine.worker: Not a number of type LONG; Kafka takes a number of milliseconds here: write 10000
            worker           | "offset.flush.interval.ms" = 5000           | ok      |
            worker           | "offset.flush.intervall.ms" = 5000          | error   | Unknown key offset.flush.intervall.ms in engine.worker: neither Kafka Connect's worker nor its clients (producer., consumer., admin.) have this setting (did you mean offset.flush.interval.ms?)
            worker           | "plugin.discovery" = sometimes              | error   | Invalid value sometimes for plugin.discovery in engine.worker: String must be one of (case insensitive): …SERVICE_LOAD
            worker           | "acks" = all                                | warning | Key acks in engine.worker is a producer setting, which the Kafka Connect worker ignores: write producer.acks here, for the producer that writes to each target
            worker           | "max.poll.records" = 10                     | warning | Key max.poll.records in engine.worker is a consumer setting, which the Kafka Connect worker ignores: write consumer.max.poll.records in a flow's mirror block
            worker           | "emit.checkpoints.interval.seconds" = 5     | warning | Key emit.checkpoints.interval.seconds in engine.worker is a MirrorMaker 2 connector setting, which the Kafka Connect worker ignores: write it in a flow's mirror block
            worker           | "producer.acks" = sometimes                 | error   | Invalid value sometimes for producer.acks in engine.worker: String must be one of: all, -1, 0, 1
            worker           | "producer.acks" = 1                         | ok      |
            worker           | "producer.lingr.ms" = 1                     | error   | Unknown key producer.lingr.ms in engine.worker…(did you mean producer.linger.ms?)
            worker           | "producer.bootstrap.servers" = "x:9092"     | error   | Invalid key producer.bootstrap.servers in engine.worker: Strait sets bootstrap.servers for every client from the clusters' bootstrap-servers
            worker           | "consumer.isolation.level" = read_uncommitted | error | Invalid value read_uncommitted for consumer.isolation.level in engine.worker: Strait copies committed records only
            worker           | "group.id" = shared                         | error   | Invalid key group.id in engine.worker: Strait sets it for each link (each link's workers form their own Connect group, <source>-mm2; remove the key)
            worker           | "offset.storage.topic" = offsets            | error   | Invalid key offset.storage.topic in engine.worker: Strait sets it for each link (each link keeps its own, mm2-offsets.<source>.internal; remove the key)
            worker           | "exactly.once.source.support" = enabled     | error   | Invalid key exactly.once.source.support in engine.worker: Strait sets it for each link (write delivery = exactly-once in the flow instead)
            worker           | "offset.storage.partitions" = 0             | error   | Invalid value 0 for offset.storage.partitions in engine.worker: Number of partitions must be positive, or -1 to use the broker's default
            worker           | "offset.storage.segment.bytes" = 1048576    | ok      |
            worker           | "key.converter.schemas.enable" = false      | ok      |
            worker           | "value.converter" = org.apache.kafka.connect.json.JsonConverter | error | Invalid key value.converter in engine.worker: MirrorMaker 2 copies keys, values and headers byte for byte (org.apache.kafka.connect.converters.ByteArrayConverter), and another converter would rewrite every record; remove the key
            worker           | "value.converter" = org.apache.kafka.connect.converters.ByteArrayConverter | ok |
            worker           | "config.providers.env.class" = org.apache.kafka.common.config.provider.EnvVarConfigProvider | ok |
            worker           | "task.shutdown.graceful.timeout.ms" = "${env:GRACE}" | ok |
            mirror           | "emit.heartbeats.enabled" = maybe           | error   | Invalid value maybe for emit.heartbeats.enabled in the mirror block of flow dr: Expected value to be either true or false
            mirror           | "emit.heartbeats.enabled" = false           | ok      |
            mirror           | "emit.heartbeat.enabled" = false            | error   | Unknown key emit.heartbeat.enabled in the mirror block of flow dr: neither MirrorMaker 2's connectors nor their clients…(did you mean emit.heartbeats.enabled?)
            mirror           | "replication.factor" = three                | error   | Invalid value three for replication.factor in the mirror block of flow dr: Not a number of type INT
            mirror           | "sync.group.offsets.interval.seconds" = 10s | error   | Invalid value 10s for sync.group.offsets.interval.seconds in the mirror block of flow dr: Not a number of type LONG; Kafka takes a number of seconds here: write 10
            mirror           | "metric.names.formats" = "new,old"          | error   | Invalid value new,old for metric.names.formats in the mirror block of flow dr: String must be one of: legacy, new
            mirror           | "config.property.filter.class" = com.example.NoSuchFilter | error | Class com.example.NoSuchFilter could not be found. Put the jar that holds it in Strait's lib/ directory
            mirror           | "metric.names.formats" = "new,legacy"       | ok      |
            mirror           | "metric.names.formats" = [new, legacy]      | ok      |
            mirror           | "consumer.max.poll.records" = 1000          | ok      |
            mirror           | "consumer.max.poll.records" = many          | error   | Invalid value many for consumer.max.poll.records in the mirror block of flow dr: Not a number of type INT
            mirror           | "consumer.isolation.levl" = read_committed  | error   | Unknown key consumer.isolation.levl…(did you mean consumer.isolation.level?)
            mirror           | "consumer.isolation.level" = read_committed | ok      |
            mirror           | "consumer.isolation.level" = read_uncommitted | error | Invalid value read_uncommitted for consumer.isolation.level in the mirror block of flow dr: Strait copies committed records only
            clients          | "auto.offset.reset" = latest                 | error   | Invalid value latest for auto.offset.reset in kafka-clients of cluster a: a link's source consumer starts a partition it has no position for at its earliest offset
            clients          | "auto.offset.reset" = earliest               | ok      |
            mirror           | "source.consumer.auto.offset.reset" = latest | error | Invalid value latest for source.consumer.auto.offset.reset in the mirror block of flow dr: a link's source consumer starts a partition it has no position for at its earliest offset
            mirror           | "source.consumer.isolation.level" = read_uncommitted | error | Invalid value read_uncommitted for source.consumer.isolation.level in the mirror block of flow dr: Strait copies committed records only
            mirror           | "consumer.poll.timeout.ms" = 500            | ok      |
            mirror           | "target.admin.request.timeout.ms" = 30000   | ok      |
            mirror           | "producer.override.linger.ms" = 10          | ok      |
            mirror           | "producer.override.linger.ms" = soon        | error   | Invalid value soon for producer.override.linger.ms in the mirror block of flow dr: Not a number of type LONG
            mirror           | "source.cluster.security.protocol" = SSL    | ok      |
            mirror           | "source.cluster.bootstrap.servers" = "x:9092" | error | Invalid key source.cluster.bootstrap.servers in the mirror block of flow dr: Strait sets bootstrap.servers
            mirror           | "consumer.bootstrap.servers" = "x:9092"     | error   | Invalid key consumer.bootstrap.servers in the mirror block of flow dr: Strait sets bootstrap.servers
            mirror           | "group.id" = mine                           | error   | Invalid key group.id in the mirror block of flow dr: Strait sets group.id itself; remove the key
            mirror           | "acks" = all                                | warning | Key acks in the mirror block of flow dr is a producer setting, which MirrorMaker 2's connectors ignore without a prefix: write producer.override.acks for the producer that writes the copied records (or producer.acks in engine.worker, for every link)
            mirror           | "max.poll.records" = 10                     | warning | Key max.poll.records in the mirror block of flow dr is a consumer setting, which MirrorMaker 2's connectors ignore without a prefix: write consumer.max.poll.records for MirrorMaker 2's consumers
            mirror           | "offset.flush.interval.ms" = 1000           | warning | Key offset.flush.interval.ms in the mirror block of flow dr is a Kafka Connect worker setting, which MirrorMaker 2's connectors ignore: write it in engine.worker
            mirror           | "source.cluster.max.poll.records" = 10      | warning | Key source.cluster.max.poll.records in the mirror block of flow dr is ignored: MirrorMaker 2 reads only connection and security settings…under source.cluster.; write source.consumer.max.poll.records
            mirror           | "emit.checkpoints.enabled" = false          | error   | Invalid value false for emit.checkpoints.enabled in the mirror block of flow dr: MirrorCheckpointConnector can't run with emit.checkpoints.enabled set to false; Strait runs all three MirrorMaker 2 connectors on every link, so remove the key
            mirror           | "emit.offset-syncs.enabled" = false         | error   | Invalid value false for emit.offset-syncs.enabled in the mirror block of flow dr: MirrorSourceConnector can't setup offset-syncs feature while emit.offset-syncs.enabled set to false; MirrorCheckpointConnector can't run without offset syncs
            mirror           | "heartbeats.topic.replication.factor" = "${env:RF}" | ok |
            mirror           | "transforms.route.type" = org.example.Route | ok      |
            mirror           | "errors.tolerance" = all                    | ok      |
            mirror           | "header.converter" = org.apache.kafka.connect.storage.SimpleHeaderConverter | error | Invalid key header.converter in the mirror block of flow dr: MirrorMaker 2 copies keys, values and headers byte for byte
            mirror           | "offsets.storage.topic" = my-offsets        | error   | Invalid key offsets.storage.topic in the mirror block of flow dr: each link keeps its source offsets in its worker's mm2-offsets.<source>.internal, where lag and verify read them; remove the key
            mirror           | "errors.tolerance" = some                   | error   | Invalid value some for errors.tolerance in the mirror block of flow dr: String must be one of: none, all
            flow-defaults    | "emit.heartbeats.enabled" = maybe           | error   | Invalid value maybe for emit.heartbeats.enabled in the mirror block of flow-defaults: Expected value to be either true or false
            flow-defaults    | "acks" = all                                | warning | Key acks in the mirror block of flow-defaults is a producer setting
            flow-defaults    | "emit.checkpoints.enabled" = false          | error   | Invalid value false for emit.checkpoints.enabled in the mirror block of flow-defaults: MirrorCheckpointConnector can't run with emit.checkpoints.enabled set to false
            flow-defaults    | "sync.topic.acls.enabled" = true            | ok      |
            """;

    private static final TopologyLoader CHECKED = new TopologyLoader(Map.of(), new KafkaSettingsValidator());

    static Stream<Arguments> table() {
        return TABLE.lines().map(row -> Arrays.stream(row.split("\\|", 4)).map(String::strip).toArray(String[]::new))
                .map(c -> arguments(c[0], c[1], c[2], c[3]));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("table")
    void settingIsCheckedAgainstKafkasDefinitions(String block, String setting, String outcome, String message) {
        List<Problem> problems = problems(topology(block, setting));
        if (outcome.equals("ok")) {
            assertThat(problems).as(setting).isEmpty();
            return;
        }
        // Exactly one finding: an inherited default (cluster b, flow back) is not reported twice.
        assertThat(problems).as(setting).hasSize(1);
        Problem problem = problems.get(0);
        assertThat(problem.severity()).as(problem.toString())
                .isEqualTo(outcome.equals("error") ? Problem.Severity.ERROR : Problem.Severity.WARNING);
        assertThat(problem.location()).as(problem.toString()).isEqualTo("t.conf:" + LINES.get(block));
        assertThat(containsInOrder(problem.message(), message)).as("%s%nexpected: %s", problem, message).isTrue();
    }

    @Test
    void tableCoversEveryBlockWithGoodAndBadSettings() {
        for (String block : LINES.keySet()) {
            List<String> outcomes = table().filter(a -> a.get()[0].equals(block)).map(a -> (String) a.get()[2]).toList();
            assertThat(outcomes).as(block).contains("ok", "error");
        }
        assertThat(table().map(a -> (String) a.get()[2])).contains("warning");
    }

    @Test
    void aPureFunctionOfSettingsAndTheirLocations() {
        List<Problem> problems = new KafkaSettingsValidator().check(List.of(
                new PassThroughBlock(Kind.ENGINE_WORKER, "engine", List.of(
                        new Setting("acks", "all", "engine.worker", "x.conf:3"),
                        new Setting("producer.acks", "all", "engine.worker", "x.conf:4"))),
                new PassThroughBlock(Kind.KAFKA_CLIENTS, "cluster a", List.of(
                        new Setting("acks", "maybe", "kafka-clients of cluster a", "x.conf:7")))));
        assertThat(problems).extracting(Problem::toString).containsExactly(
                "x.conf:3: warning: Key acks in engine.worker is a producer setting, which the Kafka Connect worker"
                        + " ignores: write producer.acks here, for the producer that writes to each target",
                "x.conf:7: Invalid value maybe for acks in kafka-clients of cluster a: String must be one of: all,"
                        + " -1, 0, 1");
    }

    @Test
    void everyProblemOfAFileIsReportedTogether() {
        TopologyException refused = refused("""
                strait {
                  clusters {
                    a { bootstrap-servers = "a:9092", kafka-clients { "acks" = "sometimes" } }
                    b { bootstrap-servers = "b:9092", kafka-clients { "securty.protocol" = SSL } }
                  }
                  flows { dr { type = link, source = a, target = nowhere, mirror { "emit.heartbeats.enabled" = maybe } } }
                  engine.worker { "offset.flush.interval.ms" = soon }
                }
                """);
        assertThat(refused.errors()).extracting(Problem::location)
                .containsExactlyInAnyOrder("t.conf:3", "t.conf:4", "t.conf:6", "t.conf:6", "t.conf:7");
        assertThat(refused.errors()).extracting(Problem::message).anyMatch(m -> m.startsWith("Unknown cluster nowhere"));
    }

    @Test
    void secretValuesAreNeverShown() {
        TopologyException refused = refused(String.format(TEMPLATE,
                "\"ssl.truststore.password\" = \"hunter2\", \"ssl.keystore.passwrd\" = \"hunter3\"", "", "", "", ""));
        assertThat(refused.getMessage()).doesNotContain("hunter").contains("did you mean ssl.keystore.password?");
    }

    /** What the connectors' own validate() would refuse is what the check reports: the same rule, not a copy of it. */
    @Test
    void connectorsRefuseWhatTheCheckRefuses() throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse(topology("mirror",
                "\"emit.checkpoints.enabled\" = false, \"emit.offset-syncs.enabled\" = false"), "t.conf");
        MirrorSettings settings = new MirrorSettings(topology, 1);
        LinkId link = LinkId.parse("a->b");
        assertThat(errorsOf(new MirrorCheckpointConnector().validate(settings.connectorConfig(link,
                MirrorCheckpointConnector.class)))).containsKeys("emit.checkpoints.enabled", "emit.offset-syncs.enabled");
        assertThat(errorsOf(new MirrorSourceConnector().validate(settings.connectorConfig(link,
                MirrorSourceConnector.class)))).containsKey("emit.offset-syncs.enabled");
        // and without them, Strait's own defaults pass every connector's validate()
        Topology plain = CHECKED.parse(String.format(TEMPLATE, "", "", "", "", ""), "t.conf");
        MirrorSettings defaults = new MirrorSettings(plain, 1);
        for (Class<?> connector : MirrorSettings.CONNECTORS) {
            org.apache.kafka.connect.connector.Connector instance =
                    (org.apache.kafka.connect.connector.Connector) connector.getDeclaredConstructor().newInstance();
            assertThat(errorsOf(instance.validate(defaults.connectorConfig(link, connector)))).as(connector.getSimpleName())
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("everyTopologyThatShouldLoad")
    void everyExampleAndValidFixtureLoadsWithoutNewFindings(Path file) throws Exception {
        Map<String, String> environment = Map.of("A_BOOTSTRAP", "kafka-a:9092");
        Topology unchecked = new TopologyLoader(environment).load(file);
        Topology checked = new TopologyLoader(environment, new KafkaSettingsValidator()).load(file);
        // Warnings only where the topology warned already (a long name, a never-replicated topic).
        assertThat(checked.warnings()).isEqualTo(unchecked.warnings());
        if (file.startsWith("topologies")) {
            assertThat(checked.warnings()).isEmpty();
        }
    }

    static Stream<Path> everyTopologyThatShouldLoad() throws IOException {
        try (Stream<Path> examples = Files.list(Path.of("topologies"));
             Stream<Path> valid = Files.list(Path.of("src/test/resources/topologies/valid"))) {
            List<Path> all = Stream.concat(examples, valid).filter(f -> f.toString().endsWith(".conf")).sorted().toList();
            assertThat(all).hasSizeGreaterThan(15);
            return all.stream();
        }
    }

    // ---- helpers ----

    private static String topology(String block, String setting) {
        List<String> blocks = List.of("clients", "cluster-defaults", "mirror", "flow-defaults", "worker");
        Object[] contents = blocks.stream().map(b -> b.equals(block) ? setting : "").toArray();
        return String.format(TEMPLATE, contents);
    }

    private static List<Problem> problems(String text) {
        try {
            return CHECKED.parse(text, "t.conf").warnings();
        } catch (TopologyException e) {
            return e.problems();
        }
    }

    private static TopologyException refused(String text) {
        try {
            Topology topology = CHECKED.parse(text, "t.conf");
            throw new AssertionError("expected a refusal, but it loaded with warnings " + topology.warnings());
        } catch (TopologyException e) {
            return e;
        }
    }

    private static Map<String, List<String>> errorsOf(org.apache.kafka.common.config.Config config) {
        Map<String, List<String>> errors = new java.util.TreeMap<>();
        config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .forEach(v -> errors.put(v.name(), v.errorMessages()));
        return errors;
    }

    private static boolean containsInOrder(String text, String message) {
        int from = 0;
        for (String part : message.split("…")) {
            int at = text.indexOf(part, from);
            if (at < 0) {
                return false;
            }
            from = at + part.length();
        }
        return true;
    }
}
