package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret value reaches a connector configuration (which Kafka Connect stores in the link's
 * config topic): secrets are written as {@code ${strait:<cluster or link>:<key>}}, and each link's
 * worker, the only holder of the values, resolves them to what the topology says, including
 * Kafka's {@code ${env:...}}, {@code ${file:...}} and {@code ${directory:...}} placeholders.
 */
class SecretPlaceholdersTest {

    private static final LinkId A_B = LinkId.parse("a->b");
    private static final LinkId B_C = LinkId.parse("b->c");
    /** Every secret value the topology below gives, literally or through a placeholder. */
    private static final List<String> SECRETS = List.of("jaas-of-a", "literal-truststore-secret", "pem-key-secret",
            "mirror-key-secret", "jaas-of-b", "c-password");

    @TempDir
    static Path dir;
    private static MirrorSettings settings;

    @BeforeAll
    static void load() throws Exception {
        Files.writeString(dir.resolve("paths.properties"), "truststore=/stores/truststore.p12\n");
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("b").resolve("jaas"), "jaas-of-b");
        Files.writeString(dir.resolve("c.properties"), "password=c-password\n");
        Topology topology = new TopologyLoader(Map.of("A_JAAS", "jaas-of-a")).parse("""
                strait {
                  clusters {
                    a {
                      bootstrap-servers = "a:9092"
                      kafka-clients {
                        "security.protocol" = SASL_SSL
                        "sasl.jaas.config" = ${A_JAAS}
                        "ssl.truststore.password" = "literal-truststore-secret"
                        "ssl.keystore.key" = "pem-key-secret"
                        "ssl.truststore.location" = "${file:DIR/paths.properties:truststore}"
                      }
                    }
                    b { bootstrap-servers = "b:9092", kafka-clients { "sasl.jaas.config" = "${directory:DIR/b:jaas}" } }
                    c {
                      bootstrap-servers = "c:9092"
                      kafka-clients { "sasl.jaas.config" = "Login required password=\\"${file:DIR/c.properties:password}\\";" }
                    }
                  }
                  flows {
                    ab { type = link, source = a, target = b, mirror { "source.consumer.ssl.key.password" = "mirror-key-secret" } }
                    bc { type = link, source = b, target = c }
                  }
                }
                """.replace("DIR", dir.toString()), "inline.conf");
        settings = new MirrorSettings(topology, 2);
    }

    @Test
    void noConnectorConfigurationHoldsASecretValue() {
        for (LinkId link : List.of(A_B, B_C)) {
            settings.connectorConfigs(link).forEach((name, config) -> config.forEach((key, value) -> {
                for (String secret : SECRETS) {
                    assertThat(value).as("%s of connector %s", key, name).doesNotContain(secret);
                }
                if (MirrorSettings.isSecret(key)) {
                    assertThat(value).as("%s of connector %s", key, name).matches("\\$\\{strait:[^:}]+:[^}]+}");
                }
            }));
        }
        assertThat(settings.connectorConfig(A_B, org.apache.kafka.connect.mirror.MirrorSourceConnector.class))
                .containsEntry("source.cluster.sasl.jaas.config", "${strait:a:sasl.jaas.config}")
                .containsEntry("source.admin.ssl.keystore.key", "${strait:a:ssl.keystore.key}")
                .containsEntry("target.producer.sasl.jaas.config", "${strait:b:sasl.jaas.config}")
                .containsEntry("source.consumer.ssl.key.password", "${strait:a->b:source.consumer.ssl.key.password}")
                // Not a secret: stored as written, resolved by the worker's own file provider.
                .containsEntry("source.cluster.ssl.truststore.location", "${file:" + dir + "/paths.properties:truststore}");
    }

    @Test
    void theMirrorMakerPropertiesHoldNoSecretValue() {
        settings.properties().forEach((key, value) -> {
            for (String secret : SECRETS) {
                assertThat(value).as(key).doesNotContain(secret);
            }
        });
    }

    @Test
    void theWorkerResolvesEveryPlaceholderToTheTopologysValue() {
        // As Connect's Worker does: its config.providers, each configured with its params.
        DistributedConfig worker = new DistributedConfig(settings.workerConfig(A_B));
        Map<String, String> connector = transform(worker, settings.connectorConfig(A_B,
                org.apache.kafka.connect.mirror.MirrorSourceConnector.class));
        assertThat(connector)
                .containsEntry("source.cluster.sasl.jaas.config", "jaas-of-a")
                .containsEntry("source.consumer.sasl.jaas.config", "jaas-of-a")
                .containsEntry("source.admin.ssl.truststore.password", "literal-truststore-secret")
                .containsEntry("source.producer.ssl.keystore.key", "pem-key-secret")
                .containsEntry("source.consumer.ssl.key.password", "mirror-key-secret")
                .containsEntry("source.cluster.ssl.truststore.location", "/stores/truststore.p12")
                .containsEntry("target.producer.sasl.jaas.config", "jaas-of-b");
        // The worker's own clients talk to the target, b.
        assertThat(worker.originalsStrings()).containsEntry("producer.sasl.jaas.config", "jaas-of-b")
                .containsEntry("sasl.jaas.config", "jaas-of-b");

        DistributedConfig other = new DistributedConfig(settings.workerConfig(B_C));
        assertThat(transform(other, settings.connectorConfig(B_C,
                org.apache.kafka.connect.mirror.MirrorHeartbeatConnector.class)))
                .containsEntry("source.cluster.sasl.jaas.config", "jaas-of-b")
                .containsEntry("target.cluster.sasl.jaas.config", "Login required password=\"c-password\";");
    }

    @Test
    void aWorkerHoldsOnlyTheSecretsOfItsOwnLink() {
        SortedMap<String, String> worker = settings.workerConfig(B_C);
        assertThat(worker.values()).noneMatch(v -> v.contains("jaas-of-a") || v.contains("mirror-key-secret")
                || v.contains("literal-truststore-secret"));
        assertThat(worker).containsKeys(TopologyConfigProvider.PARAM_PREFIX + "b.sasl.jaas.config",
                TopologyConfigProvider.PARAM_PREFIX + "c.sasl.jaas.config");
        assertThat(settings.workerConfig(A_B))
                .containsEntry(TopologyConfigProvider.PARAM_PREFIX + "a->b.source.consumer.ssl.key.password",
                        "mirror-key-secret")
                .containsEntry("config.providers", "strait,env,file,directory");
    }

    @Test
    void printedSettingsHideTheValuesGivenToTheProvider() {
        SortedMap<String, String> redacted = MirrorSettings.redacted(settings.workerConfig(A_B));
        assertThat(redacted).containsEntry(TopologyConfigProvider.PARAM_PREFIX + "a.ssl.keystore.key", "[hidden]")
                .containsEntry("config.providers", "strait,env,file,directory");
        for (String secret : SECRETS) {
            assertThat(redacted.values()).noneMatch(v -> v.contains(secret));
        }
    }

    @Test
    void straitsOwnClientsResolveKafkaPlaceholders() {
        Map<String, Object> b = ConfigProviders.clientConfig(settings.topology().cluster("b"));
        b.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092");
        assertThat(new AdminClientConfig(b).getPassword("sasl.jaas.config").value()).isEqualTo("jaas-of-b");
        Map<String, Object> c = ConfigProviders.clientConfig(settings.topology().cluster("c"));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "c:9092");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
        assertThat(new ConsumerConfig(c).getPassword("sasl.jaas.config").value())
                .isEqualTo("Login required password=\"c-password\";");
        Map<String, Object> a = ConfigProviders.clientConfig(settings.topology().cluster("a"));
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "a:9092");
        assertThat(new AdminClientConfig(a).getString("ssl.truststore.location")).isEqualTo("/stores/truststore.p12");
    }

    @Test
    void theProviderAnswersByClusterOrLinkAndKey() throws Exception {
        try (TopologyConfigProvider provider = new TopologyConfigProvider()) {
            provider.configure(Map.of("a.sasl.jaas.config", "jaas", "a.ssl.key.password", "key",
                    "a->b.source.consumer.ssl.key.password", "mirror", "b.sasl.jaas.config",
                    "x ${directory:" + dir.resolve("b") + ":jaas} y"));
            assertThat(provider.get("a", Set.of("sasl.jaas.config", "unknown")).data())
                    .isEqualTo(Map.of("sasl.jaas.config", "jaas"));
            assertThat(provider.get("a").data()).isEqualTo(Map.of("sasl.jaas.config", "jaas", "ssl.key.password", "key"));
            assertThat(provider.get("a->b", Set.of("source.consumer.ssl.key.password")).data())
                    .isEqualTo(Map.of("source.consumer.ssl.key.password", "mirror"));
            assertThat(provider.get("b", Set.of("sasl.jaas.config")).data())
                    .isEqualTo(Map.of("sasl.jaas.config", "x jaas-of-b y"));
            assertThat(provider.get("c", Set.of("sasl.jaas.config")).data()).isEmpty();
        }
    }

    @Test
    void configurationsStoredInClearByEarlierVersionsAreRecognised() {
        // As main before placeholders stored them: the leader warns when it replaces such a configuration.
        assertThat(LinkHerder.secretsInClear(Map.of("source.cluster.sasl.jaas.config", "jaas-of-a",
                "target.admin.ssl.key.password", "x", "source.consumer.ssl.keystore.password", "",
                "source.cluster.security.protocol", "SASL_SSL")))
                .containsExactly("source.cluster.sasl.jaas.config", "target.admin.ssl.key.password");
        for (LinkId link : List.of(A_B, B_C)) {
            settings.connectorConfigs(link).values().forEach(config ->
                    assertThat(LinkHerder.secretsInClear(config)).isEmpty());
        }
        assertThat(LinkHerder.secretsInClear(null)).isEmpty();
    }

    private static Map<String, String> transform(DistributedConfig worker, Map<String, String> connector) {
        Map<String, ConfigProvider> providers = new HashMap<>();
        for (String name : worker.getList("config.providers")) {
            try {
                ConfigProvider provider = Utils.newInstance(worker.originalsStrings().get("config.providers." + name + ".class"),
                        ConfigProvider.class);
                provider.configure(worker.originalsWithPrefix("config.providers." + name + ".param."));
                providers.put(name, provider);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
        return new ConfigTransformer(providers).transform(connector).data();
    }
}
