package io.strait.replication;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source task's half of the offset map ({@link OffsetMapEntry}): it sees each record's source
 * offset and, once the target acknowledged it, its target offset
 * ({@code SourceTask.commitRecord}), and writes an entry only where {@code target - source}
 * changes. For a partition copied once, in order, with no offset gaps, that is one entry per task
 * start. Per record the cost is one map look-up and a few comparisons under an uncontended lock.
 *
 * <p>Where the copy changes delta often (a transactional source: a marker after every
 * transaction; a compacted one: gaps everywhere), it writes at most one entry per
 * {@link #MIN_RECORDS_BETWEEN} records, and records the sum of the changes it skipped as the next
 * entry's {@code drift}: such a run of at most that many records is not one-to-one, and is resolved
 * by counting records on the source when failover needs it. That is MirrorMaker 2's
 * {@code offset.lag.max} (100), applied only where the copy is not one-to-one.
 *
 * <p>After each offset commit of the task ({@code SourceTask.commit}) it writes each partition's
 * last record as the lifetime's TAIL. Writes are asynchronous, through an idempotent producer of
 * its own; a failed write is logged and counted ({@link #failedWrites()}).
 */
public final class OffsetMapWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OffsetMapWriter.class);
    /** Fewest records between two entries of a partition when delta changes often (MM2's offset.lag.max). */
    public static final long MIN_RECORDS_BETWEEN = 100;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String link;
    private final java.util.function.Function<String, String> topicIdOf;
    private final Map<TopicPartition, PartitionState> states = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long lastFailureLog;

    /** Per source partition, what the current lifetime copied last. Guarded by itself. */
    private static final class PartitionState {
        final String topicId;
        long lifetime = -1;
        long lastUpstream = -1;
        long lastDownstream = -1;
        /** Records since the last START or CHANGE entry, that one included. */
        long since;
        /** Sum of |delta change| not written as entries since the last START or CHANGE. */
        long drift;
        long tailWritten = -1;

        PartitionState(String topicId) {
            this.topicId = topicId;
        }
    }

    /**
     * @param topicIdOf the source topic's ID (base64) for a topic name, or null when unknown; asked
     *                  once per partition
     */
    public OffsetMapWriter(Producer<byte[], byte[]> producer, String topic, String link,
                           java.util.function.Function<String, String> topicIdOf) {
        this.producer = producer;
        this.topic = topic;
        this.link = link;
        this.topicIdOf = topicIdOf;
    }

    /** Production settings on top of the target's client settings: idempotent, acknowledged by all replicas. */
    public static KafkaProducer<byte[], byte[]> newProducer(Map<String, Object> targetProducerConfig) {
        Map<String, Object> config = new java.util.HashMap<>(targetProducerConfig);
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        config.put("linger.ms", 0);
        // Outside exactly-once delivery Connect calls commitRecord, and so copied(), on the replication
        // producer's I/O thread: a send that waits for the map topic's metadata (the topic missing) may
        // hold it this long, not the default minute; the entry then counts as a failed write.
        config.put("max.block.ms", 1_000);
        config.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        config.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        return new KafkaProducer<>(config);
    }

    /**
     * A record of {@code source} at {@code upstream} was written to the target at {@code downstream}.
     * Called in target order per partition (the producer's acknowledgements, or the committed
     * transaction's records).
     */
    public void copied(TopicPartition source, long upstream, long downstream) {
        PartitionState state = states.get(source);
        if (state == null) {
            state = states.computeIfAbsent(source, tp -> new PartitionState(topicIdOf.apply(tp.topic())));
        }
        OffsetMapEntry entry = null;
        synchronized (state) {
            long lastU = state.lastUpstream;
            long lastD = state.lastDownstream;
            if (lastU >= 0 && upstream == lastU + 1 && downstream == lastD + 1
                    && (state.drift == 0 || state.since < MIN_RECORDS_BETWEEN)) {
                state.lastUpstream = upstream;
                state.lastDownstream = downstream;
                state.since++;
                return;
            }
            long now = System.currentTimeMillis();
            if (lastU < 0 || upstream <= lastU || downstream <= lastD) {
                // The first record of this task (or a rewind: the target topic created again): a new lifetime.
                state.lifetime = downstream;
                state.since = 1;
                state.drift = 0;
                entry = new OffsetMapEntry(OffsetMapEntry.Kind.START, source.topic(), source.partition(),
                        Optional.ofNullable(state.topicId), downstream, upstream, downstream, -1, -1, 0, now);
            } else if (state.since >= MIN_RECORDS_BETWEEN) {
                entry = new OffsetMapEntry(OffsetMapEntry.Kind.CHANGE, source.topic(), source.partition(),
                        Optional.ofNullable(state.topicId), state.lifetime, upstream, downstream, lastU, lastD,
                        state.drift, now);
                state.since = 1;
                state.drift = 0;
            } else {
                state.drift += Math.abs((downstream - upstream) - (lastD - lastU));
                state.since++;
            }
            state.lastUpstream = upstream;
            state.lastDownstream = downstream;
        }
        if (entry != null) {
            write(entry);
        }
    }

    /** After an offset commit: each partition's last copied record, as its lifetime's TAIL. */
    public void commit() {
        List<OffsetMapEntry> tails = new ArrayList<>();
        long now = System.currentTimeMillis();
        states.forEach((source, state) -> {
            synchronized (state) {
                if (state.lastDownstream > state.tailWritten) {
                    state.tailWritten = state.lastDownstream;
                    tails.add(new OffsetMapEntry(OffsetMapEntry.Kind.TAIL, source.topic(), source.partition(),
                            Optional.ofNullable(state.topicId), state.lifetime, state.lastUpstream, state.lastDownstream,
                            -1, -1, state.drift, now));
                }
            }
        });
        tails.forEach(this::write);
    }

    public long written() {
        return written.get();
    }

    public long failedWrites() {
        return failed.get();
    }

    private void write(OffsetMapEntry entry) {
        try {
            producer.send(new ProducerRecord<>(topic, entry.key(), entry.value()), (metadata, e) -> {
                if (e == null) {
                    written.incrementAndGet();
                } else {
                    failed(entry, e);
                }
            });
        } catch (RuntimeException e) {
            failed(entry, e);
        }
    }

    private void failed(OffsetMapEntry entry, Exception e) {
        long count = failed.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastFailureLog > 10_000) {
            lastFailureLog = now;
            log.warn("Link {}: could not write the offset map entry {} of {}-{} to {} ({} failed so far): {};"
                    + " failover translates that part of the map by counting records", link, entry.kind(),
                    entry.sourceTopic(), entry.partition(), topic, count, e.toString());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
