package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConnector;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The MirrorMaker 2 settings a topology turns into, in the manner of Kafka's MirrorMakerConfigTest. */
class MirrorSettingsTest {

    private static final LinkId A_B = LinkId.parse("a->b");
    private static final LinkId B_A = LinkId.parse("b->a");
    private static final LinkId A_C = LinkId.parse("a->c");

    private static MirrorSettings settings;

    @BeforeAll
    static void load() throws Exception {
        Topology topology = new TopologyLoader(Map.of("A_JAAS", "jaas-of-a")).parse("""
                strait {
                  clusters {
                    a {
                      bootstrap-servers = "a1:9092,a2:9092"
                      kafka-clients {
                        "security.protocol" = SASL_SSL
                        "sasl.jaas.config" = ${A_JAAS}
                        "ssl.truststore.password" = "truststore-secret"
                        "client.dns.lookup" = use_all_dns_ips
                      }
                    }
                    b {
                      bootstrap-servers = "b:9092"
                      kafka-clients { "request.timeout.ms" = 40000 }
                    }
                    c { bootstrap-servers = "c:9092" }
                  }
                  flows {
                    dr { type = link, source = a, target = b, topics = ["orders.*"], groups = ["billing-.*"] }
                    back { type = link, source = b, target = a, tasks = 3, separator = "_" }
                    copy {
                      type = link, source = a, target = c, naming = identity, refresh-interval = 1m
                      mirror { "sync.topic.configs.enabled" = false }
                    }
                  }
                  engine.worker { "producer.linger.ms" = 20, "offset.flush.timeout.ms" = 7000 }
                }
                """, "inline.conf");
        settings = new MirrorSettings(topology, 8);
    }

    // ---- the MirrorMakerConfig property map ----

    @Test
    void clustersAndBootstrapServers() {
        SortedMap<String, String> props = settings.properties();
        assertThat(props).containsEntry("clusters", "a,b,c")
                .containsEntry("a.bootstrap.servers", "a1:9092,a2:9092")
                .containsEntry("b.bootstrap.servers", "b:9092")
                .containsEntry("c.bootstrap.servers", "c:9092");
    }

    @Test
    void everyLinkIsEnabledAndNoOther() {
        SortedMap<String, String> props = settings.properties();
        assertThat(props).containsEntry("a->b.enabled", "true")
                .containsEntry("b->a.enabled", "true")
                .containsEntry("a->c.enabled", "true");
        assertThat(props.keySet().stream().filter(k -> k.matches("[^.]+->[^.]+\\.enabled")))
                .containsExactlyInAnyOrder("a->b.enabled", "b->a.enabled", "a->c.enabled");
        assertThat(settings.config().clusterPairs()).extracting(Object::toString)
                .contains("a->b", "b->a", "a->c");
    }

    @Test
    void tasksAutoIsHalfTheProcessorsAndAnExplicitValueWins() {
        assertThat(MirrorSettings.autoTasks(8)).isEqualTo(4);
        assertThat(MirrorSettings.autoTasks(3)).isEqualTo(1);
        assertThat(MirrorSettings.autoTasks(2)).isEqualTo(1);
        assertThat(settings.properties()).containsEntry("a->b.tasks.max", "4")
                .containsEntry("b->a.tasks.max", "3")
                .containsEntry("a->c.tasks.max", "4");
    }

    @Test
    void tasksAutoIsAtLeastOne() throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b } }
                }
                """, "inline.conf");
        assertThat(new MirrorSettings(topology, 0).properties()).containsEntry("a->b.tasks.max", "1");
    }

    @Test
    void namingChoosesTheReplicationPolicy() {
        assertThat(settings.properties())
                .containsEntry("a->b.replication.policy.class", StraitDefaultReplicationPolicy.class.getName())
                .containsEntry("b->a.replication.policy.class", StraitDefaultReplicationPolicy.class.getName())
                .containsEntry("a->c.replication.policy.class", StraitIdentityReplicationPolicy.class.getName());
    }

    @Test
    void eachPolicyKnowsTheLinksThatBringHeartbeatsToItsSource() {
        // a <-> b, a -> c: for each link, the sources of the links into its source, and so on upstream.
        assertThat(settings.properties())
                .containsEntry("a->b.strait.heartbeats.upstream.a", "b")
                .containsEntry("a->b.strait.heartbeats.upstream.b", "a")
                .containsEntry("a->c.strait.heartbeats.upstream.a", "b")
                .containsEntry("b->a.strait.heartbeats.upstream.b", "a")
                .doesNotContainKeys("a->b.strait.heartbeats.upstream.c", "a->c.strait.heartbeats.upstream.c");
        assertThat(settings.connectorConfig(A_B, MirrorSourceConnector.class))
                .containsEntry("strait.heartbeats.upstream.a", "b");
    }

    @Test
    void separatorPerLink() {
        assertThat(settings.properties())
                .containsEntry("a->b.replication.policy.separator", ".")
                .containsEntry("b->a.replication.policy.separator", "_");
    }

    @Test
    void filtersRefreshAndMirrorSettingsPerLink() {
        assertThat(settings.properties())
                .containsEntry("a->b.topic.filter.class", SelectionTopicFilter.class.getName())
                .containsEntry("a->b.group.filter.class", SelectionGroupFilter.class.getName())
                .containsEntry("a->b.strait.topics.0.include", "orders.*")
                .containsEntry("a->b.strait.topics.0.exclude", "(?!)")
                .containsEntry("a->b.strait.groups.0.include", "billing-.*")
                .containsEntry("a->b.refresh.topics.interval.seconds", "10")
                .containsEntry("a->c.refresh.topics.interval.seconds", "60")
                .containsEntry("a->c.refresh.groups.interval.seconds", "60")
                .containsEntry("a->c.sync.topic.configs.enabled", "false")
                .containsEntry("a->b.sync.group.offsets.enabled", "true")
                .doesNotContainKey("a->b.sync.topic.configs.enabled");
    }

    @Test
    void kafkaClientSettingsGoToEveryClientOfTheirCluster() {
        assertThat(settings.properties())
                .containsEntry("a.security.protocol", "SASL_SSL")
                .containsEntry("a.producer.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("a.consumer.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("a.admin.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("a.consumer.sasl.jaas.config", "${strait:a:sasl.jaas.config}")
                .containsEntry("b.producer.request.timeout.ms", "40000")
                .doesNotContainKey("c.security.protocol");
    }

    // ---- connector settings ----

    @Test
    void sourceConnectorNamesItsClustersAndClass() {
        SortedMap<String, String> config = settings.connectorConfig(A_B, MirrorSourceConnector.class);
        assertThat(config).containsEntry("name", "a->b")
                .containsEntry("connector.class", StraitSourceConnector.class.getName())
                .containsEntry("source.cluster.alias", "a")
                .containsEntry("target.cluster.alias", "b")
                .containsEntry("enabled", "true")
                .containsEntry("tasks.max", "4")
                .containsEntry("replication.policy.class", StraitDefaultReplicationPolicy.class.getName())
                .containsEntry("replication.policy.separator", ".")
                .containsEntry("topic.filter.class", SelectionTopicFilter.class.getName())
                .containsEntry("strait.topics.0.include", "orders.*")
                .containsEntry("source.cluster.bootstrap.servers", "a1:9092,a2:9092")
                .containsEntry("target.cluster.bootstrap.servers", "b:9092");
    }

    @Test
    void sourceConnectorGivesEachClusterItsOwnClientSettings() {
        SortedMap<String, String> config = settings.connectorConfig(A_B, MirrorSourceConnector.class);
        assertThat(config)
                .containsEntry("source.cluster.security.protocol", "SASL_SSL")
                .containsEntry("source.consumer.bootstrap.servers", "a1:9092,a2:9092")
                .containsEntry("source.consumer.security.protocol", "SASL_SSL")
                .containsEntry("source.consumer.sasl.jaas.config", "${strait:a:sasl.jaas.config}")
                .containsEntry("source.consumer.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("source.admin.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("source.producer.ssl.truststore.password", "${strait:a:ssl.truststore.password}")
                .containsEntry("target.producer.bootstrap.servers", "b:9092")
                .containsEntry("target.producer.request.timeout.ms", "40000")
                .containsEntry("target.admin.request.timeout.ms", "40000")
                .containsEntry("target.consumer.request.timeout.ms", "40000")
                .doesNotContainKeys("target.producer.security.protocol", "target.consumer.sasl.jaas.config",
                        "source.consumer.request.timeout.ms");
    }

    @Test
    void reverseLinkSwapsTheClusters() {
        SortedMap<String, String> config = settings.connectorConfig(B_A, MirrorSourceConnector.class);
        assertThat(config).containsEntry("source.cluster.alias", "b")
                .containsEntry("target.cluster.alias", "a")
                .containsEntry("tasks.max", "3")
                .containsEntry("replication.policy.separator", "_")
                .containsEntry("target.producer.security.protocol", "SASL_SSL")
                .containsEntry("source.consumer.request.timeout.ms", "40000");
    }

    @Test
    void identityLinkConnectorsUseTheIdentityPolicy() {
        settings.connectorConfigs(A_C).values().forEach(config -> assertThat(config)
                .containsEntry("replication.policy.class", StraitIdentityReplicationPolicy.class.getName())
                .containsEntry("sync.topic.configs.enabled", "false"));
    }

    @Test
    void everyLinkRunsThreeConnectors() {
        assertThat(settings.connectorConfigs(A_B).keySet()).containsExactly(
                "a->b", "a->b.checkpoint", "a->b.heartbeat");
        assertThat(settings.connectorConfig(A_B, MirrorCheckpointConnector.class))
                .containsEntry("connector.class", StraitCheckpointConnector.class.getName())
                .containsEntry("group.filter.class", SelectionGroupFilter.class.getName());
        assertThat(settings.connectorConfig(A_B, MirrorHeartbeatConnector.class))
                .containsEntry("connector.class", MirrorHeartbeatConnector.class.getName());
    }

    @Test
    void groupFilterOfTheCheckpointConnector() {
        SelectionGroupFilter filter = new SelectionGroupFilter();
        filter.configure(settings.connectorConfig(A_B, MirrorCheckpointConnector.class));
        assertThat(filter.shouldReplicateGroup("billing-eu")).isTrue();
        assertThat(filter.shouldReplicateGroup("shipping")).isFalse();
        filter.configure(settings.connectorConfig(B_A, MirrorCheckpointConnector.class));
        assertThat(filter.shouldReplicateGroup("shipping")).isTrue();
        assertThat(filter.shouldReplicateGroup("console-consumer-123")).as("MM2's default exclude").isFalse();
    }

    // ---- worker settings ----

    @Test
    void workerTalksToTheTargetWithItsClientSettings() {
        SortedMap<String, String> worker = settings.workerConfig(B_A);
        assertThat(worker).containsEntry("bootstrap.servers", "a1:9092,a2:9092")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("producer.security.protocol", "SASL_SSL")
                .containsEntry("producer.sasl.jaas.config", "${strait:a:sasl.jaas.config}")
                .containsEntry("consumer.client.dns.lookup", "use_all_dns_ips")
                .containsEntry("admin.ssl.truststore.password", "${strait:a:ssl.truststore.password}")
                .containsEntry("client.id", "b->a")
                .containsEntry("group.id", "b-mm2")
                .containsEntry("offset.storage.topic", "mm2-offsets.b.internal");
        assertThat(settings.workerConfig(A_B)).containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("producer.request.timeout.ms", "40000")
                .doesNotContainKey("producer.security.protocol");
    }

    @Test
    void engineWorkerSettingsApplyToEveryWorker() {
        for (LinkId link : new LinkId[] {A_B, B_A, A_C}) {
            assertThat(settings.workerConfig(link)).as("worker of %s", link)
                    .containsEntry("producer.linger.ms", "20")
                    .containsEntry("offset.flush.timeout.ms", "7000")
                    .containsEntry("producer.enable.idempotence", "true")
                    // Left to the copy loop (5, first write per partition alone) and to Connect (1).
                    .doesNotContainKey("producer.max.in.flight.requests.per.connection")
                    .containsEntry("offset.flush.interval.ms", "500")
                    .containsEntry("plugin.discovery", "service_load");
        }
    }

    // ---- redaction ----

    @Test
    void redactedHidesSecretsAndKeepsTheRest() {
        SortedMap<String, String> redacted = MirrorSettings.redacted(settings.properties());
        assertThat(redacted).contains(
                entry("a.sasl.jaas.config", "[hidden]"),
                entry("a.consumer.sasl.jaas.config", "[hidden]"),
                entry("a.ssl.truststore.password", "[hidden]"),
                entry("a.admin.ssl.truststore.password", "[hidden]"),
                entry("a.security.protocol", "SASL_SSL"),
                entry("a.bootstrap.servers", "a1:9092,a2:9092"),
                entry("a->b.tasks.max", "4"));
        assertThat(redacted.values()).doesNotContain("jaas-of-a", "truststore-secret");
        assertThat(redacted).hasSameSizeAs(settings.properties());
    }

    @Test
    void redactedConnectorAndWorkerSettings() {
        assertThat(MirrorSettings.redacted(settings.connectorConfig(A_B, MirrorSourceConnector.class)))
                .containsEntry("source.consumer.sasl.jaas.config", "[hidden]")
                .containsEntry("source.cluster.ssl.truststore.password", "[hidden]")
                .containsEntry("source.consumer.security.protocol", "SASL_SSL");
        assertThat(MirrorSettings.redacted(settings.workerConfig(B_A)))
                .containsEntry("producer.sasl.jaas.config", "[hidden]")
                .containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("bootstrap.servers", "a1:9092,a2:9092");
    }

    @Test
    void secretKeys() {
        assertThat(MirrorSettings.isSecret("sasl.jaas.config")).isTrue();
        assertThat(MirrorSettings.isSecret("ssl.key.password")).isTrue();
        assertThat(MirrorSettings.isSecret("target.producer.ssl.keystore.password")).isTrue();
        assertThat(MirrorSettings.isSecret("ssl.keystore.key")).as("a PASSWORD-typed client setting").isTrue();
        assertThat(MirrorSettings.isSecret("security.protocol")).isFalse();
        assertThat(MirrorSettings.isSecret("ssl.keystore.location")).isFalse();
        assertThat(MirrorSettings.isSecret("bootstrap.servers")).isFalse();
    }

    @Test
    void anAtLeastOnceLinksCopyLoopGetsTheWorkersProducerSettingsWithSecretsAsPlaceholdersOnly() throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows {
                    dr { type = link, source = a, target = b }
                    eos { type = link, source = b, target = a, delivery = exactly-once }
                  }
                  engine.worker { "producer.ssl.key.password" = "s3cret-key", "producer.linger.ms" = 7 }
                }
                """, "inline.conf");
        MirrorSettings copy = new MirrorSettings(topology, 2);
        SortedMap<String, String> source = copy.connectorConfig(LinkId.parse("a->b"), MirrorSourceConnector.class);
        assertThat(source).containsEntry("strait.copy.direct", "true")
                .containsEntry("strait.copy.offsets.topic", copy.workerConfig(LinkId.parse("a->b")).get("offset.storage.topic"))
                .containsEntry("strait.copy.commit.interval.ms", "500")
                .containsEntry("strait.copy.producer.linger.ms", "7")
                .containsEntry("strait.copy.producer.ssl.key.password",
                        TopologyConfigProvider.placeholder("a->b", "strait.copy.producer.ssl.key.password"));
        // The connector config is stored in a Kafka topic: the secret is never in it.
        assertThat(source.values()).noneMatch(v -> v.contains("s3cret-key"));
        // The worker resolves the placeholder through its config provider.
        assertThat(copy.workerConfig(LinkId.parse("a->b")).values()).anyMatch(v -> v.contains("s3cret-key"));
        // Exactly-once links keep Connect's transactional path.
        assertThat(copy.connectorConfig(LinkId.parse("b->a"), MirrorSourceConnector.class))
                .doesNotContainKey("strait.copy.direct");
    }

    @Test
    void theCopyLoopsProducerHasFiveRequestsInFlightWhenIdempotentUnlessTheWorkerSetsIt() throws Exception {
        assertThat(copyProducer("")).containsEntry("enable.idempotence", "true")
                .containsEntry("max.in.flight.requests.per.connection", "5");
        // Without idempotence more than one request in flight reorders on retries: Connect's 1.
        assertThat(copyProducer("\"producer.enable.idempotence\" = false"))
                .containsEntry("max.in.flight.requests.per.connection", "1");
        assertThat(copyProducer("\"producer.max.in.flight.requests.per.connection\" = 2"))
                .containsEntry("max.in.flight.requests.per.connection", "2");
    }

    private static Map<String, Object> copyProducer(String worker) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b } }
                  engine.worker { %s }
                }
                """.formatted(worker), "inline.conf");
        Map<String, String> source = new MirrorSettings(topology, 2).connectorConfig(LinkId.parse("a->b"),
                MirrorSourceConnector.class);
        return DirectCopy.producerConfig(source, "a->b");
    }
}
