package io.strait.replication;

import io.strait.topology.ClusterSettings;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.MirrorUtils;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.storage.ConverterConfig;
import org.apache.kafka.connect.storage.ConverterType;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageReaderImpl;
import org.apache.kafka.connect.util.KafkaBasedLog;
import org.apache.kafka.connect.util.TopicAdmin;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The source offsets a link has committed ({@link SourceOffset}), by source topic-partition, as Kafka
 * Connect's offsets API (KIP-875, {@code GET /connectors/{name}/offsets}) gives them for the link's
 * MirrorSourceConnector. Two ways in, one reading of the result:
 * <ul>
 *   <li>{@link #of(ConnectorOffsets)}: what a running link's herder answered;</li>
 *   <li>{@link #read}: without a running link ({@code strait verify}), from the link's offsets topic
 *       on its target, through Connect's own {@link KafkaOffsetBackingStore} and
 *       {@link OffsetStorageReaderImpl}, as Connect's {@code Worker.sourceConnectorOffsets} reads them.</li>
 * </ul>
 * A partition whose stored offset has no {@code offset} (a tombstone, or a map of another shape) has
 * no position.
 */
public final class CommittedSourceOffsets {

    private CommittedSourceOffsets() {
    }

    /** The positions in an answer of Connect's offsets API. */
    public static Map<TopicPartition, SourceOffset> of(ConnectorOffsets offsets) {
        Map<Map<String, ?>, Map<String, ?>> byPartition = new HashMap<>();
        offsets.offsets().forEach(o -> byPartition.put(o.partition(), o.offset()));
        return of(byPartition);
    }

    /**
     * The positions of MirrorMaker 2's source partitions ({@code {"cluster", "topic", "partition"}},
     * MirrorUtils's keys) and their stored offsets. Connect's JSON converter reads the partition
     * number as a long, so any number is accepted.
     */
    static Map<TopicPartition, SourceOffset> of(Map<? extends Map<String, ?>, ? extends Map<String, ?>> offsets) {
        Map<TopicPartition, SourceOffset> positions = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            Object topic = partition.get(MirrorUtils.TOPIC_KEY);
            Object number = partition.get(MirrorUtils.PARTITION_KEY);
            if (topic != null && number instanceof Number p) {
                SourceOffset.from(offset).ifPresent(o -> positions.put(new TopicPartition(topic.toString(), p.intValue()), o));
            }
        });
        return positions;
    }

    /**
     * Reads the link's committed positions from its worker's offsets topic
     * ({@code offset.storage.topic}) on the target cluster. Reading creates nothing: when the topic
     * does not exist yet, nothing was committed and the map is empty.
     *
     * @param timeout how long each call to the target may take
     * @throws org.apache.kafka.common.KafkaException or {@link org.apache.kafka.connect.errors.ConnectException}
     *         when the topic cannot be read to its end
     */
    public static Map<TopicPartition, SourceOffset> read(MirrorSettings settings, LinkId link, Duration timeout) {
        DistributedConfig worker = new DistributedConfig(settings.workerConfig(link));
        String topic = worker.getString(DistributedConfig.OFFSET_STORAGE_TOPIC_CONFIG);
        String connector = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        ClusterSettings target = settings.topology().cluster(link.target());
        String clientId = "strait-verify-offsets";
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ClientConfigs.reader(target, clientId, timeout,
                IsolationLevel.READ_COMMITTED), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicAdmin admin = null;
        KafkaOffsetBackingStore store = null;
        try {
            if (consumer.partitionsFor(topic, timeout).isEmpty()) {
                return Map.of();
            }
            admin = new TopicAdmin(ClientConfigs.admin(target, clientId, timeout));
            JsonConverter keys = converter(ConverterType.KEY);
            store = readOnlyStore(topic, consumer, admin, keys);
            store.configure(worker);
            store.start();
            try (OffsetStorageReaderImpl reader = new OffsetStorageReaderImpl(store, connector, keys,
                    converter(ConverterType.VALUE))) {
                return of(reader.offsets(store.connectorPartitions(connector)));
            }
        } finally {
            if (store != null) {
                Utils.closeQuietly(store::stop, "offsets store of " + link);
            }
            Utils.closeQuietly(consumer, "offsets consumer of " + link);
            if (admin != null) {
                TopicAdmin closing = admin;
                Utils.closeQuietly(() -> closing.close(Duration.ofSeconds(1)), "offsets admin of " + link);
            }
        }
    }

    /**
     * Connect's store over an existing consumer, as {@link KafkaOffsetBackingStore#readOnlyStore} builds
     * it, except that it leaves the topic as it is (that one would create it, or check its cleanup policy).
     */
    private static KafkaOffsetBackingStore readOnlyStore(String topic, KafkaConsumer<byte[], byte[]> consumer,
                                                         TopicAdmin admin, JsonConverter keys) {
        return new KafkaOffsetBackingStore(() -> admin, () -> {
            throw new UnsupportedOperationException("reads with the consumer it was given");
        }, keys) {
            @Override
            public void configure(WorkerConfig config) {
                this.exactlyOnce = config.exactlyOnceSourceEnabled();
                this.offsetLog = KafkaBasedLog.withExistingClients(topic, consumer, null, admin, consumedCallback,
                        Time.SYSTEM, unused -> { }, partition -> true);
            }
        };
    }

    /** The worker's internal converter: JSON without schemas (Connect's {@code Plugins.newInternalConverter}). */
    private static JsonConverter converter(ConverterType type) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                ConverterConfig.TYPE_CONFIG, type.getName()));
        return converter;
    }
}
