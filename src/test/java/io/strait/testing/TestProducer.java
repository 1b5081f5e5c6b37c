package io.strait.testing;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady stream of records into one topic (about 200 a second, record i to partition i mod n),
 * that rides out a broker outage (the producer retries for up to two minutes) and counts what the
 * broker acknowledged.
 */
public final class TestProducer implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;

    private TestProducer(Map<String, Object> clientConfig, String topic, int partitions, String prefix, int valueBytes) {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000));
        thread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config,
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] padding = new byte[Math.max(0, valueBytes - 16)];
                for (long i = 0; running.get(); i++) {
                    byte[] value = (prefix + "-" + i + "-").getBytes(StandardCharsets.UTF_8);
                    byte[] padded = new byte[value.length + padding.length];
                    System.arraycopy(value, 0, padded, 0, value.length);
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, (int) (i % partitions),
                            (prefix + "-" + i).getBytes(StandardCharsets.UTF_8), padded);
                    record.headers().add("seq", Long.toString(i).getBytes(StandardCharsets.UTF_8));
                    producer.send(record, (metadata, error) -> (error == null ? acknowledged : failed).incrementAndGet());
                    Thread.sleep(5);
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-producer-" + topic);
        thread.start();
    }

    public static TestProducer start(TestClusters clusters, String alias, String topic, int partitions, String prefix) {
        return new TestProducer(clusters.clientConfig(alias), topic, partitions, prefix, 100);
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Stops producing and waits until every record sent is acknowledged or failed. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
