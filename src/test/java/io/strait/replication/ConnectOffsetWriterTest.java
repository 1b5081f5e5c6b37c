package io.strait.replication;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.mirror.MirrorSourceTaskParts;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetStorageReaderImpl;
import org.apache.kafka.connect.storage.OffsetStorageWriter;
import org.apache.kafka.connect.util.Callback;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins what {@link ConnectOffsetWriter} relies on in Connect 4.3.1: the key and value bytes its
 * {@code OffsetStorageWriter} writes for a source partition's offset (with the worker's internal
 * JSON converter, schemas off), the offsets topic partition Connect's producer picks for that key,
 * and that Connect's {@code OffsetStorageReaderImpl} reads the record back.
 */
class ConnectOffsetWriterTest {

    private static final String CONNECTOR = "a->b";

    /** What Connect's offset writer hands its backing store; also serves reads. */
    private static class CapturingStore extends MemoryOffsetBackingStore {
        final Map<ByteBuffer, ByteBuffer> written = new HashMap<>();

        @Override
        public java.util.Set<Map<String, Object>> connectorPartitions(String connectorName) {
            return java.util.Set.of();
        }

        @Override
        public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
            written.putAll(values);
            return super.set(values, callback);
        }
    }

    private static JsonConverter converter(boolean key) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), key);
        return converter;
    }

    private static Map<String, Object> sourcePartition() {
        // MirrorMaker 2's partition map, as the copy loop builds it.
        return MirrorSourceTaskParts.sourcePartition(new org.apache.kafka.common.TopicPartition("orders", 3), "a");
    }

    @Test
    void writesTheBytesConnectsOffsetWriterWritesToThePartitionItsProducerPicks() throws Exception {
        Map<String, Object> partition = sourcePartition();
        Map<String, Object> offset = SourceOffset.toMap(41_234, "vB1bZ3EhR7qzJ0y0uYb0aQ", 7);
        CapturingStore store = new CapturingStore();
        store.start();
        OffsetStorageWriter connect = new OffsetStorageWriter(store, CONNECTOR, converter(true), converter(false));
        connect.offset(partition, offset);
        assertThat(connect.beginFlush()).isTrue();
        connect.doFlush((error, result) -> { }).get(5, TimeUnit.SECONDS);
        assertThat(store.written).hasSize(1);
        Map.Entry<ByteBuffer, ByteBuffer> expected = store.written.entrySet().iterator().next();

        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        ConnectOffsetWriter ours = new ConnectOffsetWriter(producer, "mm2-offsets.a.internal", CONNECTOR, 5);
        ProducerRecord<byte[], byte[]> record = ours.record(partition, offset);

        assertThat(ByteBuffer.wrap(record.key())).isEqualTo(expected.getKey());
        assertThat(ByteBuffer.wrap(record.value())).isEqualTo(expected.getValue());
        assertThat(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("[\"a->b\",{\"cluster\":\"a\",\"partition\":3,\"topic\":\"orders\"}]");
        assertThat(record.topic()).isEqualTo("mm2-offsets.a.internal");
        // KafkaBasedLog's producer sends without a partition: the default partitioner hashes the key.
        assertThat(record.partition()).isEqualTo(BuiltInPartitioner.partitionForKey(record.key(), 5));
        store.stop();
    }

    @Test
    void connectsOffsetReaderReadsWhatItWrites() throws Exception {
        Map<String, Object> partition = sourcePartition();
        Map<String, Object> offset = SourceOffset.toMap(99, "vB1bZ3EhR7qzJ0y0uYb0aQ", 0);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        ProducerRecord<byte[], byte[]> record = new ConnectOffsetWriter(producer, "offsets", CONNECTOR, 5)
                .record(partition, offset);
        MemoryOffsetBackingStore store = new CapturingStore();
        store.start();
        store.set(Map.of(ByteBuffer.wrap(record.key()), ByteBuffer.wrap(record.value())), null).get(5, TimeUnit.SECONDS);
        OffsetStorageReaderImpl reader = new OffsetStorageReaderImpl(store, CONNECTOR, converter(true), converter(false));
        Map<String, Object> read = reader.offsets(List.of(partition)).get(partition);
        assertThat(SourceOffset.from(read)).contains(new SourceOffset(99, java.util.Optional.of("vB1bZ3EhR7qzJ0y0uYb0aQ"), 0));
        store.stop();
    }
}
