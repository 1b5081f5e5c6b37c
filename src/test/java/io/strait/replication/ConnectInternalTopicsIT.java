package io.strait.replication;

import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.storage.KafkaConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.util.TopicAdmin;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Pins {@link ConnectInternalTopics} to Connect 4.3.1: each of its three topics equals the one
 * Connect's own store asks its admin to create when it starts, for Strait's worker config with
 * topic settings of every kind (partitions, replication factor, topic configs). A real broker only
 * because Connect's stores ask their cluster for its id when configured.
 */
class ConnectInternalTopicsIT {

    /** Thrown by the recording admin to stop a store's start once it has asked for its topic. */
    private static final class Asked extends RuntimeException {
        Asked() {
            super("asked", null, false, false);
        }
    }

    @Test
    void definesTheTopicsAsConnectsStoresDo() throws Exception {
        try (TestClusters clusters = TestClusters.start("b")) {
            pin(clusters.bootstrap("b"));
        }
    }

    private static void pin(String target) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a.bootstrap-servers = "127.0.0.1:1", b.bootstrap-servers = "%s" }
                  flows { ab { type = link, source = a, target = b } }
                  engine.worker {
                    "offset.storage.partitions" = 7
                    "status.storage.replication.factor" = 3
                    "config.storage.min.insync.replicas" = 2
                    "offset.storage.segment.bytes" = 1048576
                  }
                }
                """.formatted(target), "inline.conf");
        DistributedConfig config = new DistributedConfig(new MirrorSettings(topology, 2).workerConfig(LinkId.parse("a->b")));
        List<NewTopic> asked = new ArrayList<>();
        try (TopicAdmin recording = new TopicAdmin(Map.of("bootstrap.servers", "127.0.0.1:1")) {
            @Override
            public Set<String> createTopicsWithRetry(NewTopic topic, long timeoutMs, long backOffMs, Time time) {
                asked.add(topic);
                throw new Asked();
            }
        }) {
            JsonConverter converter = new JsonConverter();
            converter.configure(Map.of("schemas.enable", "false", "converter.type", "value"));
            KafkaOffsetBackingStore offsets = new KafkaOffsetBackingStore(() -> recording, () -> "pin", converter);
            offsets.configure(config);
            startAsks(offsets::start);
            KafkaStatusBackingStore status = new KafkaStatusBackingStore(Time.SYSTEM, converter, () -> recording, "pin");
            status.configure(config);
            startAsks(status::start);
            KafkaConfigBackingStore configs = new KafkaConfigBackingStore(converter, config, null, () -> recording, "pin");
            startAsks(configs::start);
        }
        assertThat(asked).hasSize(3);
        assertThat(ConnectInternalTopics.of(config)).containsExactlyElementsOf(asked);
        assertThat(asked.get(0).numPartitions()).isEqualTo(7);
        assertThat(asked.get(0).configs()).containsEntry("segment.bytes", "1048576").containsEntry("cleanup.policy", "compact");
        assertThat(asked.get(1).replicationFactor()).isEqualTo((short) 3);
        assertThat(asked.get(2).configs()).containsEntry("min.insync.replicas", "2");
    }

    /** Starts a store, which must stop at its request for its topic (the recording admin's {@link Asked}). */
    private static void startAsks(org.assertj.core.api.ThrowableAssert.ThrowingCallable start) {
        Throwable thrown = catchThrowable(start);
        Throwable cause = thrown;
        while (cause != null && !(cause instanceof Asked)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("the store's start stopped at its request for its topic: %s", thrown).isInstanceOf(Asked.class);
    }
}
