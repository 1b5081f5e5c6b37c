package io.strait.replication;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.mirror.MirrorSourceTaskParts;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The copy loop of an at-least-once link's source task: MirrorSourceTask's work (consume the
 * assigned source partitions, write each record to {@code formatRemoteTopic(source, topic)} at the
 * same partition with its key, value, headers and timestamp, offset syncs for checkpoints, MM2's
 * per-partition metrics), without Kafka Connect's per-record path (conversion to and from
 * {@code SourceRecord}, the error-handling wrapper, per-record offset tracking and metrics).
 * Kafka Connect still runs the task: it assigns it, starts, stops and restarts it, moves it between
 * instances and keeps its offsets; only the records go around it.
 * <ul>
 *   <li><b>Producer</b>: one per instance for all tasks with the same target and producer settings
 *       ({@link SharedProducers}), configured as Connect configures a task's producer
 *       ({@code Worker.baseProducerConfigs}: {@code acks=all}, unbounded delivery timeout and
 *       blocking) with the worker's {@code producer.*} settings, the target's client settings and
 *       the connector's {@code producer.override.*}. Unless those set it, an idempotent producer
 *       has {@value #IN_FLIGHT_IDEMPOTENT} requests in flight (Connect: 1).</li>
 *   <li><b>Order</b>: with more than one request in flight, the producer's first write into each
 *       partition goes alone; what the partition polled behind it waits (the partition paused)
 *       until the target acknowledged it. A partition being created can otherwise accept a later
 *       request while refusing the first (KAFKA-15591). Acknowledgements of a partition must come
 *       in the order its records were sent: one out of order fails the task before the earlier
 *       record, loudly, as a failed write.</li>
 *   <li><b>Source offsets</b>: every {@value #COMMIT_INTERVAL_MS} (the worker's
 *       {@code offset.flush.interval.ms}), each partition's last record that the target
 *       acknowledged, with every record before it, is written to the link's Connect offsets topic in
 *       Connect's format ({@link ConnectOffsetWriter}), and MM2's delayed offset syncs and the offset
 *       map's tails follow, as after Connect's offset commit. A restarted task resumes from there: a
 *       crash copies again at most what was acknowledged since the last commit.</li>
 *   <li><b>A failed write</b> (the target refused a record, or it could not be delivered): the
 *       partition's position stops before it, the task commits what was acknowledged and fails; the
 *       link restarts it, and it copies again from the record that failed. Nothing is skipped.</li>
 * </ul>
 * Exactly-once links keep Connect's transactional path (KIP-618) and MirrorSourceTask's records.
 *
 * <p>Threads: {@link #poll}, {@link #close} on the task's thread; the send callbacks on the
 * producer's I/O thread.
 */
final class DirectCopy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectCopy.class);

    static final String PREFIX = "strait.copy.";
    /** Connector setting: copy with this loop ({@code true} for at-least-once links). */
    static final String ENABLED = PREFIX + "direct";
    /** Connector setting: the link's Connect offsets topic ({@code offset.storage.topic}). */
    static final String OFFSETS_TOPIC = PREFIX + "offsets.topic";
    /** Connector setting: how often source offsets are committed, ms ({@code offset.flush.interval.ms}). */
    static final String COMMIT_INTERVAL_MS = PREFIX + "commit.interval.ms";
    /** Connector settings: the worker's {@code producer.*} settings, under this prefix. */
    static final String PRODUCER_PREFIX = PREFIX + "producer.";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    /** Requests in flight per broker of an idempotent copy producer unless the worker sets it: Kafka's maximum for idempotence. */
    static final int IN_FLIGHT_IDEMPOTENT = 5;

    /** Decides, for each polled record, whether it is copied: the task's source guard. */
    interface Admission {
        /** The partition's position state, or null when the record must not be copied. */
        SourcePositionTracker.Partition admit(TopicPartition tp, long offset);
    }

    private final String link;
    private final Time time;
    private final MirrorSourceTaskParts mm2;
    private final Consumer<byte[], byte[]> consumer;
    private final SharedProducers.Lease lease;
    /** The producer of the source offset commits: its own, so that a commit never waits behind copied records. */
    private final SharedProducers.Lease commitLease;
    private final Producer<byte[], byte[]> producer;
    private final ConnectOffsetWriter offsets;
    private final OffsetMapWriter offsetMap;
    private final CopyMetrics metrics;
    private final long commitIntervalMs;
    /** More than one request in flight: each partition's first write goes alone (KAFKA-15591). */
    private final boolean firstWriteAlone;
    private final Map<TopicPartition, CopyPartition> partitions = new HashMap<>();
    private final Map<String, String> targetTopics = new HashMap<>();
    private volatile Failure failure;
    /** The commit producer failed for good (not a retriable error): the task fails at its next poll. */
    private volatile Exception commitFailure;
    /** Some partition holds records behind its first write: its acknowledgement wakes the poll up. */
    private volatile boolean holding;
    private long nextCommit;

    private record Failure(TopicPartition partition, long offset, Exception error) {
    }

    /**
     * Opens the consumer and leases the producer, and positions the consumer where the link's
     * committed offsets say (read through {@code reader}, the task's guarded reader).
     *
     * @param props the task's settings (MM2's task config plus the {@value #PREFIX}* settings)
     */
    DirectCopy(String link, Map<String, String> props, PluginMetrics pluginMetrics, OffsetStorageReader reader,
               OffsetMapWriter offsetMap, Time time) {
        this(link, props, pluginMetrics, reader, offsetMap, time, MirrorSourceTaskParts::newConsumer);
    }

    /** As above, with the source consumer from {@code consumers} (tests give a MockConsumer). */
    DirectCopy(String link, Map<String, String> props, PluginMetrics pluginMetrics, OffsetStorageReader reader,
               OffsetMapWriter offsetMap, Time time,
               Function<MirrorSourceTaskParts, Consumer<byte[], byte[]>> consumers) {
        this.link = link;
        this.time = time;
        this.offsetMap = offsetMap;
        this.mm2 = new MirrorSourceTaskParts(props);
        this.metrics = mm2.newMetricNames() ? new CopyMetrics(pluginMetrics, mm2.sourceAlias(), mm2.targetAlias()) : null;
        this.commitIntervalMs = Long.parseLong(props.getOrDefault(COMMIT_INTERVAL_MS, "60000"));
        Map<String, Object> producerConfig = producerConfig(props, link);
        this.firstWriteAlone = Integer.parseInt(String.valueOf(
                producerConfig.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)).trim()) > 1;
        SharedProducers.Lease copyLease = null;
        SharedProducers.Lease commits = null;
        Consumer<byte[], byte[]> opened = null;
        try {
            copyLease = SharedProducers.lease(producerConfig);
            commits = SharedProducers.lease(commitProducerConfig(producerConfig, link));
            this.lease = copyLease;
            this.producer = copyLease.producer();
            this.commitLease = commits;
            // The offsets topic's partitions are asked at the first commit, not before the first record.
            this.offsets = new ConnectOffsetWriter(commits.producer(), props.get(OFFSETS_TOPIC), props.get("name"), 0);
            opened = consumers.apply(mm2);
            this.consumer = opened;
            start(reader);
        } catch (RuntimeException e) {
            Utils.closeQuietly(opened, "copy consumer");
            Utils.closeQuietly(commits, "commit producer lease");
            Utils.closeQuietly(copyLease, "copy producer lease");
            Utils.closeQuietly(mm2, "MirrorMaker 2 task parts");
            throw e;
        }
        nextCommit = time.milliseconds() + commitIntervalMs;
    }

    /**
     * The copy producer's settings: Connect's for a task's producer, then the worker's
     * {@code producer.*}, the target's client settings as MM2 builds them, the connector's
     * {@code producer.override.*}; one client id per link.
     */
    static Map<String, Object> producerConfig(Map<String, String> props, String link) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Long.MAX_VALUE));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(Integer.MAX_VALUE));
        config.putAll(Utils.entriesWithPrefix(props, PRODUCER_PREFIX));
        config.putAll(StraitMirrorAccess.targetProducerConfig(props, "replication-producer"));
        config.putAll(Utils.entriesWithPrefix(props, "producer.override."));
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-copy|" + link);
        // Unless set: 5 requests in flight when idempotent (each partition's first write goes alone,
        // see #poll), else 1 as Connect, for without idempotence more than one reorders on retries.
        boolean idempotent = "true".equalsIgnoreCase(String.valueOf(config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)));
        config.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                idempotent ? Integer.toString(IN_FLIGHT_IDEMPOTENT) : "1");
        return config;
    }

    /**
     * The settings of the producer of source offset commits: the copy producer's (same cluster,
     * security and acknowledgements), with its own client id and the producer's default batching.
     * Connect's offset store has a producer of its own too: sent through the copy producer, a commit
     * waited behind the copied records queued before it, which are then copied twice after a crash.
     */
    static Map<String, Object> commitProducerConfig(Map<String, Object> copyProducerConfig, String link) {
        Map<String, Object> config = new HashMap<>(copyProducerConfig);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "strait-commits|" + link);
        config.remove(ProducerConfig.BATCH_SIZE_CONFIG);
        config.remove(ProducerConfig.LINGER_MS_CONFIG);
        config.remove(ProducerConfig.BUFFER_MEMORY_CONFIG);
        config.remove(ProducerConfig.COMPRESSION_TYPE_CONFIG);
        return config;
    }

    private void start(OffsetStorageReader reader) {
        List<Map<String, Object>> keys = new ArrayList<>();
        Map<Map<String, Object>, TopicPartition> byKey = new HashMap<>();
        for (TopicPartition tp : mm2.partitions()) {
            Map<String, Object> key = mm2.sourcePartition(tp);
            keys.add(key);
            byKey.put(key, tp);
            partition(tp);
        }
        // One read of the offsets topic for every partition (MirrorSourceTask reads them one by one).
        Map<Map<String, Object>, Map<String, Object>> stored = reader.offsets(keys);
        consumer.assign(byKey.values());
        byKey.forEach((key, tp) -> {
            Map<String, Object> offset = stored.get(key);
            if (offset != null && offset.get(SourceOffset.OFFSET) instanceof Number n && n.longValue() >= 0) {
                consumer.seek(tp, n.longValue() + 1);
            }
        });
        log.info("Link {}: copying {} source partitions directly (at-least-once): {}", link, byKey.size(), byKey.values());
    }

    private CopyPartition partition(TopicPartition tp) {
        CopyPartition p = partitions.get(tp);
        if (p == null) {
            String target = targetTopics.computeIfAbsent(tp.topic(), mm2::targetTopic);
            TopicPartition targetPartition = new TopicPartition(target, tp.partition());
            p = new CopyPartition(tp, targetPartition, mm2.sourcePartition(tp),
                    metrics == null ? null : metrics.partition(targetPartition));
            partitions.put(tp, p);
        }
        return p;
    }

    /**
     * One round: fails the task if a write failed, polls the source (at most
     * {@code consumer.poll.timeout.ms}), sends what {@code admission} lets through, and commits
     * source offsets when due.
     *
     * @throws ConnectException when the target refused a record or it could not be delivered
     */
    void poll(Admission admission) {
        throwIfFailed();
        sendHeld(admission);
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(mm2.pollTimeout());
        } catch (WakeupException e) {
            return;
        } catch (KafkaException e) {
            // As MirrorSourceTask.poll: logged, and polled again.
            log.warn("Link {}: failure during poll", link, e);
            return;
        }
        long now = time.milliseconds();
        for (TopicPartition tp : records.partitions()) {
            CopyPartition p = partition(tp);
            for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                if (p.held != null) {
                    p.held.add(record);
                    continue;
                }
                SourcePositionTracker.Partition position = admission.admit(tp, record.offset());
                if (position == null) {
                    continue;
                }
                p.position = position;
                send(p, record, now);
                if (firstWriteAlone && !p.written) {
                    // This producer's first write into the partition goes alone: with more requests
                    // in flight, a partition being created can accept a later request while refusing
                    // the first, and the producer then retries the first for ever (KAFKA-15591,
                    // fixed in Kafka 4.5 brokers). Once the target holds it, the broker rejects any
                    // write out of sequence and the producer keeps the order.
                    p.held = new ArrayDeque<>();
                    holding = true;
                    consumer.pause(List.of(tp));
                    if (p.written) {
                        // Acknowledged before `holding` was set, so its callback did not wake the poll.
                        consumer.wakeup();
                    }
                }
            }
            p.polled();
        }
        for (CopyPartition p : partitions.values()) {
            p.recordAcks();
        }
        mm2.firePendingOffsetSyncs();
        if (now >= nextCommit) {
            nextCommit = now + commitIntervalMs;
            commit();
        }
    }

    /** Sends what was polled behind a partition's first write once the target acknowledged it. */
    private void sendHeld(Admission admission) {
        if (!holding) {
            return;
        }
        long now = -1;
        boolean stillHolding = false;
        for (CopyPartition p : partitions.values()) {
            if (p.held == null || !p.written) {
                stillHolding |= p.held != null;
                continue;
            }
            now = now < 0 ? time.milliseconds() : now;
            for (ConsumerRecord<byte[], byte[]> record : p.held) {
                SourcePositionTracker.Partition position = admission.admit(p.source, record.offset());
                if (position != null) {
                    p.position = position;
                    send(p, record, now);
                }
            }
            p.held = null;
            consumer.resume(List.of(p.source));
            p.polled();
        }
        holding = stillHolding;
    }

    private void send(CopyPartition p, ConsumerRecord<byte[], byte[]> record, long now) {
        long offset = record.offset();
        long timestamp = record.timestamp();
        byte[] value = record.value();
        long size = value == null ? 0 : value.length;
        p.bytes += size;
        p.ages.add(now - timestamp);
        mm2.legacyPolled(p.target, now - timestamp, size);
        // A record without a timestamp (-1) gets the producer's, as Connect's conversion does.
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(p.target.topic(), p.target.partition(),
                timestamp >= 0 ? timestamp : null, record.key(), value, record.headers());
        long sequence = ++p.sentSequence;
        producer.send(out, (metadata, e) -> p.acked(sequence, offset, timestamp, metadata, e));
        p.sent = offset;
    }

    /** Writes each partition's acknowledged position, then MM2's delayed offset syncs and the offset map's tails. */
    private void commit() {
        for (CopyPartition p : partitions.values()) {
            long acked = p.acked();
            if (acked < 0 || p.position == null) {
                continue;
            }
            // A gap resolved after the position was committed changes its lost count: written again.
            long lost = p.position.lostAt(acked);
            if (acked == p.committing && lost == p.committingLost && !p.retryCommit) {
                continue;
            }
            p.committing = acked;
            p.committingLost = lost;
            p.retryCommit = false;
            p.position.committing(acked);
            Map<String, Object> offset = SourceOffset.toMap(acked, p.position.topicId(), lost);
            offsets.write(p.sourcePartition, offset, (metadata, e) -> {
                if (e == null) {
                    p.committed = Math.max(p.committed, acked);
                    return;
                }
                if (!(e instanceof org.apache.kafka.common.errors.RetriableException)) {
                    // The commit producer cannot write any more: the task fails, and its restart gets a new one.
                    commitFailure = e;
                    return;
                }
                log.warn("Link {}: could not commit the source offset {} of {} ({}); it is written again at the"
                        + " next commit", link, acked, p.source, e.toString());
                p.retryCommit = true;
            });
        }
        mm2.commitOffsetSyncs();
        offsetMap.commit();
    }

    private void throwIfFailed() {
        Exception commitError = commitFailure;
        if (commitError != null) {
            commitLease.discard();
            throw new ConnectException("Link " + link + ": source offsets could not be committed: " + commitError,
                    commitError);
        }
        Failure f = failure;
        if (f == null) {
            return;
        }
        lease.discard();
        throw new ConnectException("Link " + link + ": the record at offset " + f.offset() + " of " + f.partition()
                + " could not be written to the target: " + f.error(), f.error());
    }

    /**
     * Waits (at most 10 s) for the records sent to be acknowledged, commits their positions, and
     * closes the consumer and returns the producer. Called by the task's stop, on the task's thread.
     */
    @Override
    public void close() {
        long deadline = time.milliseconds() + CLOSE_WAIT.toMillis();
        try {
            while (failure == null && !allAcked() && time.milliseconds() < deadline) {
                time.sleep(5);
            }
            for (CopyPartition p : partitions.values()) {
                p.recordAcks();
            }
            commit();
            while (!allCommitted() && commitFailure == null && time.milliseconds() < deadline) {
                time.sleep(5);
            }
        } catch (RuntimeException e) {
            log.warn("Link {}: final offset commit failed", link, e);
        } finally {
            Utils.closeQuietly(consumer, "copy consumer");
            Utils.closeQuietly(commitLease, "commit producer lease");
            Utils.closeQuietly(lease, "copy producer lease");
            Utils.closeQuietly(mm2, "MirrorMaker 2 task parts");
        }
    }

    private boolean allAcked() {
        return partitions.values().stream().allMatch(p -> p.sent < 0 || p.acked() >= p.sent);
    }

    private boolean allCommitted() {
        return partitions.values().stream().allMatch(p -> p.committing < 0 || p.committed >= p.committing || p.retryCommit);
    }

    /** One source partition: what was sent, acknowledged and committed, and its metrics. */
    private final class CopyPartition {
        final TopicPartition source;
        final TopicPartition target;
        final Map<String, Object> sourcePartition;
        final CopyMetrics.PartitionSensors sensors;
        SourcePositionTracker.Partition position;
        // Task thread.
        long sent = -1;
        /** Records sent (the callbacks must come in this order). */
        long sentSequence;
        /** Records polled behind this producer's first write into the partition, until it is acknowledged. */
        ArrayDeque<ConsumerRecord<byte[], byte[]>> held;
        long committing = -1;
        long committingLost = -1;
        long bytes;
        final CopyMetrics.Sample ages = new CopyMetrics.Sample();
        // Producer I/O thread (under this object's lock), read by the task thread.
        private long acked = -1;
        private long ackedSequence;
        private boolean failed;
        /** The producer acknowledged a record of the partition. */
        volatile boolean written;
        private final CopyMetrics.Sample latencies = new CopyMetrics.Sample();
        volatile long committed = -1;
        volatile boolean retryCommit;

        CopyPartition(TopicPartition source, TopicPartition target, Map<String, Object> sourcePartition,
                      CopyMetrics.PartitionSensors sensors) {
            this.source = source;
            this.target = target;
            this.sourcePartition = sourcePartition;
            this.sensors = sensors;
        }

        synchronized long acked() {
            return acked;
        }

        private synchronized boolean inSequence(long sequence) {
            return failed || sequence == ackedSequence + 1;
        }

        void acked(long sequence, long offset, long timestamp, RecordMetadata metadata, Exception e) {
            boolean outOfOrder = e == null && !inSequence(sequence);
            if (outOfOrder) {
                // Only KAFKA-15591 does this to an idempotent producer: a later request was accepted
                // while an earlier one was refused. The position stays at the last acknowledged in order.
                e = new IllegalStateException("the target acknowledged it before a record sent earlier (KAFKA-15591:"
                        + " the partition was created or re-created while this producer wrote to it)");
            }
            if (e != null) {
                long before;
                synchronized (this) {
                    if (failed) {
                        return;
                    }
                    failed = true;
                    before = acked;
                }
                if (outOfOrder) {
                    log.error("Link {}: the record at offset {} of {} was acknowledged by {} out of order; the task"
                            + " stops after offset {}, the last acknowledged in order, and copies again from there"
                            + " once restarted: what was acknowledged out of order is on the target twice", link,
                            offset, source, target, before, e);
                } else {
                    log.error("Link {}: the record at offset {} of {} could not be written to {}; the task stops"
                            + " before it and copies it again once restarted", link, offset, source, target, e);
                }
                if (failure == null) {
                    failure = new Failure(source, offset, e);
                }
                return;
            }
            long latency = System.currentTimeMillis() - timestamp;
            synchronized (this) {
                if (failed) {
                    return;
                }
                acked = offset;
                ackedSequence = sequence;
                latencies.add(latency);
            }
            if (!written) {
                written = true;
                if (holding) {
                    // The rest of what was polled can go now, not after the poll's timeout (thread-safe).
                    consumer.wakeup();
                }
            }
            mm2.legacyAcked(target, latency);
            if (metadata.hasOffset()) {
                offsetMap.copied(source, offset, metadata.offset());
                try {
                    mm2.queueOffsetSync(source, offset, metadata.offset());
                } catch (RuntimeException ex) {
                    // An acknowledgement after the task closed its offset-sync writer (the producer is
                    // shared): the record's position was not committed, so it is copied again.
                    log.warn("Link {}: no offset sync for offset {} of {}: {}", link, offset, source, ex.toString());
                }
            }
        }

        /** Records what this round polled of the partition in its metrics. */
        void polled() {
            if (sensors != null && ages.count > 0) {
                sensors.polled(bytes, ages);
            }
            bytes = 0;
            ages.clear();
        }

        /** Records the acknowledgements since the last call in the partition's metrics. */
        void recordAcks() {
            if (sensors == null) {
                return;
            }
            CopyMetrics.Sample copy;
            synchronized (this) {
                if (latencies.count == 0) {
                    return;
                }
                copy = new CopyMetrics.Sample();
                copy.count = latencies.count;
                copy.sum = latencies.sum;
                copy.min = latencies.min;
                copy.max = latencies.max;
                latencies.clear();
            }
            sensors.acked(copy);
        }
    }
}
