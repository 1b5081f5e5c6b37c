package io.strait.failover;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Counts records of a partition by reading them with a consumer ({@code read_committed}, as the link
 * reads them), for {@link OffsetMap} where its entries alone cannot place an offset. Reads give up
 * after six times the timeout with a {@link FailoverException}.
 */
final class ConsumerCounter implements OffsetMap.Counter {

    private final Supplier<KafkaConsumer<byte[], byte[]>> consumers;
    private final Duration timeout;

    ConsumerCounter(Supplier<KafkaConsumer<byte[], byte[]>> consumers, Duration timeout) {
        this.consumers = consumers;
        this.timeout = timeout;
    }

    @Override
    public long count(TopicPartition partition, long from, long to) {
        long[] n = {0};
        scan(partition, from, to, record -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    @Override
    public OptionalLong offsetAfter(TopicPartition partition, long from, long n) {
        long[] seen = {0};
        long[] found = {-1};
        scan(partition, from, Long.MAX_VALUE, record -> {
            if (seen[0]++ == n) {
                found[0] = record.offset();
                return false;
            }
            return true;
        });
        return found[0] < 0 ? OptionalLong.empty() : OptionalLong.of(found[0]);
    }

    /** Visits the records at offsets {@code [from, to)} (and before the end) until the visitor says stop. */
    private void scan(TopicPartition partition, long from, long to, Predicate<ConsumerRecord<byte[], byte[]>> visit) {
        if (from >= to) {
            return;
        }
        KafkaConsumer<byte[], byte[]> consumer = consumers.get();
        consumer.assign(List.of(partition));
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        long start = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
        long stop = Math.min(to, end);
        consumer.seek(partition, Math.max(from, start));
        long deadline = System.nanoTime() + timeout.toNanos() * 6;
        try {
            while (consumer.position(partition, timeout) < stop) {
                if (System.nanoTime() > deadline) {
                    throw new FailoverException("could not read " + partition + " from offset " + from);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() >= stop || !visit.test(record)) {
                        return;
                    }
                }
            }
        } finally {
            consumer.assign(List.of());
        }
    }
}
