package io.strait.failover;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Reads a topic from its beginning, and on each {@link #poll} what was added since; its own consumer. */
public final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration timeout;
    private List<TopicPartition> partitions = List.of();

    TopicTail(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** Visits every record added since the last call (all of them the first time), up to the end as of now. */
    public void poll(Consumer<ConsumerRecord<byte[], byte[]>> each) {
        if (partitions.isEmpty()) {
            List<TopicPartition> found = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (found.isEmpty()) {
                return;   // not created yet
            }
            partitions = found;
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos() * 6;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new FailoverException("could not read " + topic + " to its end");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                each.accept(record);
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
