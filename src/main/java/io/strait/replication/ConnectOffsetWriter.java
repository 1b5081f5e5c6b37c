package io.strait.replication;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

import java.util.Arrays;
import java.util.Map;

/**
 * Writes source offsets into a link's Kafka Connect offsets topic ({@code offset.storage.topic}) in
 * Connect's own format, so that Connect reads them back as its own: a restarted task's
 * {@code OffsetStorageReader}, the offsets REST API (KIP-875), {@code strait verify} and failover.
 * The record is what Connect's {@code OffsetStorageWriter} and {@code KafkaOffsetBackingStore} write:
 * <ul>
 *   <li>key: {@code [connector name, source partition]} and value: the source offset, both through
 *       Connect's internal {@link JsonConverter} without schemas
 *       ({@code {"cluster":"A","partition":0,"topic":"t"}} as MirrorMaker 2 names a partition);</li>
 *   <li>partition of the offsets topic: the default partitioner's choice for that key
 *       ({@code murmur2(key) % partitions}), which {@code KafkaBasedLog}'s producer makes; a key
 *       written to another partition would be read in no defined order against Connect's.</li>
 * </ul>
 * {@code ConnectOffsetWriterTest} pins both against Connect 4.3.1's own writer and reader.
 */
final class ConnectOffsetWriter {

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String connector;
    private int partitions;
    private final JsonConverter keyConverter = new JsonConverter();
    private final JsonConverter valueConverter = new JsonConverter();

    /**
     * @param producer   a producer to the cluster of the offsets topic (the link's target)
     * @param topic      the link's {@code offset.storage.topic}
     * @param connector  the source connector's name, Connect's namespace for its offsets
     * @param partitions the offsets topic's partition count, or 0 to ask the producer at the first write
     */
    ConnectOffsetWriter(Producer<byte[], byte[]> producer, String topic, String connector, int partitions) {
        this.producer = producer;
        this.topic = topic;
        this.connector = connector;
        this.partitions = partitions;
        keyConverter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), true);
        valueConverter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false"), false);
    }

    /** The record Connect would write for this partition's offset. */
    ProducerRecord<byte[], byte[]> record(Map<String, Object> sourcePartition, Map<String, Object> sourceOffset) {
        if (partitions <= 0) {
            partitions = producer.partitionsFor(topic).size();
        }
        byte[] key = keyConverter.fromConnectData(connector, null, Arrays.asList(connector, sourcePartition));
        byte[] value = valueConverter.fromConnectData(connector, null, sourceOffset);
        return new ProducerRecord<>(topic, Utils.toPositive(Utils.murmur2(key)) % partitions, key, value);
    }

    /** Sends one partition's offset; {@code callback} hears the outcome on the producer's I/O thread. */
    void write(Map<String, Object> sourcePartition, Map<String, Object> sourceOffset, Callback callback) {
        producer.send(record(sourcePartition, sourceOffset), callback);
    }
}
