package io.strait.replication;

import io.strait.topology.ClusterSettings;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Every one of Strait's own clients gets the cluster's settings and the providers that resolve them; no broker. */
class ClientConfigsTest {

    static final ClusterSettings EAST = new ClusterSettings("east", "east-1:9092", new TreeMap<>(Map.of(
            "security.protocol", "SASL_SSL", "sasl.jaas.config", "${file:/etc/strait/east.properties:jaas}")), "t.conf:1");

    @Test
    void everyClientHasTheClustersSettingsItsAddressItsIdAndTheConfigProviders() {
        Duration timeout = Duration.ofSeconds(10);
        List<Map<String, Object>> configs = List.of(
                ClientConfigs.admin(EAST, "strait-test-east", timeout),
                ClientConfigs.reader(EAST, "strait-test-east", timeout, IsolationLevel.READ_COMMITTED),
                ClientConfigs.producer(EAST, "strait-test-east"));
        for (Map<String, Object> config : configs) {
            assertThat(config).containsEntry("bootstrap.servers", "east-1:9092")
                    .containsEntry("client.id", "strait-test-east")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.jaas.config", "${file:/etc/strait/east.properties:jaas}")
                    .containsEntry("config.providers", "env,file,directory");
        }
    }

    @Test
    void readersCommitNothingCreateNothingAndGiveUpAfterTheTimeout() {
        Map<String, Object> reader = ClientConfigs.reader(EAST, "r", Duration.ofSeconds(45), IsolationLevel.READ_UNCOMMITTED);
        assertThat(reader).containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false)
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")
                .containsEntry(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 45_000)
                .containsEntry(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        assertThat(ClientConfigs.admin(EAST, "a", Duration.ofSeconds(5)))
                .containsEntry(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000)
                .containsEntry(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        assertThat(ClientConfigs.producer(EAST, "p")).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    }
}
