package io.strait.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The records of the benchmark: how they are made and loaded, and how a topic is read back into
 * one 64-bit digest per record (key, value, every header, timestamp), partition by partition.
 */
final class BenchRecords {

    private static final int VALUE_POOL = 1021;

    private final int size;
    private final int headers;
    private final byte[][] values;
    private final String[] headerKeys;

    BenchRecords(int size, int headers) {
        this.size = size;
        this.headers = headers;
        // Random (incompressible) values, drawn from a pool so that making them costs nothing;
        // every record still differs from every other by its key and its header values.
        Random random = new Random(42);
        this.values = new byte[VALUE_POOL][];
        for (int i = 0; i < VALUE_POOL; i++) {
            values[i] = new byte[size];
            random.nextBytes(values[i]);
        }
        this.headerKeys = new String[headers];
        for (int i = 0; i < headers; i++) {
            headerKeys[i] = "bench-h" + i;
        }
    }

    /** Record number {@code seq}, for partition {@code seq % partitions}. */
    ProducerRecord<byte[], byte[]> record(String topic, long seq, int partitions, long timestamp) {
        byte[] key = ByteBuffer.allocate(8).putLong(seq).array();
        List<Header> hs = new ArrayList<>(headers);
        for (int i = 0; i < headers; i++) {
            hs.add(new RecordHeader(headerKeys[i], ByteBuffer.allocate(8).putLong(seq * 31 + i).array()));
        }
        return new ProducerRecord<>(topic, (int) (seq % partitions), timestamp, key,
                values[(int) (seq % VALUE_POOL)], hs);
    }

    /** Bytes a record carries: key, value, header keys and values. */
    long payloadBytes() {
        return 8L + size + headers * 8L + Arrays.stream(headerKeys).mapToLong(k -> k.getBytes(StandardCharsets.UTF_8).length).sum();
    }

    static Map<String, Object> fastProducer(String bootstrap, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return config;
    }

    /** Produces {@code count} records into the topic as fast as the broker takes them. */
    void load(String bootstrap, String topic, long count, int partitions) throws Exception {
        long begin = System.nanoTime();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(fastProducer(bootstrap, "bench-loader"))) {
            for (long seq = 0; seq < count && failure.get() == null; seq++) {
                producer.send(record(topic, seq, partitions, System.currentTimeMillis()), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Loading " + topic + " failed", failure.get());
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        Bench.log("Loaded %,d records of %d B (%d headers) into %s, %d partitions, in %.1f s (%.1f MB/s)",
                count, size, headers, topic, partitions, seconds, count * payloadBytes() / 1e6 / seconds);
    }

    /** What a topic holds: per partition, the digest of every record in offset order. */
    record TopicContent(String topic, SortedMap<Integer, long[]> digests, long records, long bytes) {
    }

    static Map<String, Object> consumerConfig(String bootstrap, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Never create a topic by reading it (it could be created with one partition before the
        // replicator creates it).
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return config;
    }

    /** Reads the whole topic, from the first offset to the end offsets it has now. */
    static TopicContent read(String bootstrap, String topic, Duration timeout) {
        long begin = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, "bench-reader"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrap);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<Integer, LongList> lists = new TreeMap<>();
            partitions.forEach(tp -> lists.put(tp.partition(), new LongList()));
            long bytes = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(tp -> ends.get(tp) == 0);
            consumer.pause(partitions.stream().filter(tp -> ends.get(tp) == 0).toList());
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout.toSeconds() + " s");
                }
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < ends.get(tp)) {
                        lists.get(r.partition()).add(digest(r));
                        bytes += payloadBytes(r);
                    }
                }
                for (var it = open.iterator(); it.hasNext(); ) {
                    TopicPartition tp = it.next();
                    if (consumer.position(tp) >= ends.get(tp)) {
                        consumer.pause(List.of(tp));
                        it.remove();
                    }
                }
            }
            SortedMap<Integer, long[]> digests = new TreeMap<>();
            long records = 0;
            for (var e : lists.entrySet()) {
                digests.put(e.getKey(), e.getValue().toArray());
                records += e.getValue().size;
            }
            Bench.log("Read %,d records of %s in %.1f s", records, topic, (System.nanoTime() - begin) / 1e9);
            return new TopicContent(topic, digests, records, bytes);
        }
    }

    static long payloadBytes(ConsumerRecord<byte[], byte[]> r) {
        long bytes = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            bytes += h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        }
        return bytes;
    }

    /** A 64-bit digest of the record's key, value, headers (in order) and timestamp. */
    static long digest(ConsumerRecord<byte[], byte[]> r) {
        long h = 0x2545F4914F6CDD1DL;
        h = mix(h, r.timestamp());
        h = bytes(h, r.key());
        h = bytes(h, r.value());
        int n = 0;
        for (Header header : r.headers()) {
            h = bytes(h, header.key().getBytes(StandardCharsets.UTF_8));
            h = bytes(h, header.value());
            n++;
        }
        return fmix(mix(h, n));
    }

    private static long bytes(long h, byte[] b) {
        if (b == null) {
            return mix(h, -1);
        }
        h = mix(h, b.length);
        ByteBuffer buffer = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            h = mix(h, buffer.getLong(i));
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        return mix(h, tail);
    }

    private static long mix(long h, long v) {
        h ^= v * 0x9E3779B97F4A7C15L;
        h = Long.rotateLeft(h, 29) * 0xBF58476D1CE4E5B9L;
        return h;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** A growable array of longs. */
    static final class LongList {
        long[] items = new long[1024];
        int size;

        void add(long v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
