package org.apache.kafka.connect.mirror;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * What {@link MirrorSourceTask} builds from its task configuration, for a copy loop that does
 * MirrorSourceTask's work without Connect's per-record path (Strait's {@code DirectCopy}): the
 * source consumer ({@code replication-consumer}), the assigned partitions, the naming policy, the
 * poll timeout, MM2's offset-sync writer (offset syncs for checkpoints, exactly as MirrorSourceTask
 * queues and fires them) and MM2's legacy metrics when {@code metric.names.formats} asks for them.
 * It lives in MM2's package because these are package-private in Kafka 4.3.1;
 * {@code MirrorSourceTaskPartsTest} pins what it relies on.
 *
 * <p>Thread safety: {@link #queueOffsetSync} is called from the producer's I/O thread (as Connect
 * calls {@code MirrorSourceTask.commitRecord}); the rest from the task's thread.
 */
public final class MirrorSourceTaskParts implements AutoCloseable {

    /**
     * Offset syncs in flight at most: MirrorSourceTask's OffsetSyncWriter allows 10. Connect acknowledged
     * MirrorSourceTask's records a few at a time; Strait's copy loop is acknowledged a whole batch at once
     * (thousands of records of several partitions), and with 10 the syncs past the tenth of a batch
     * replaced each other before being sent: a partition's first sync was often never written, and
     * MM2 could not translate a group committed before the next one it kept. With this limit every sync
     * MM2's rules call for (a partition's first, then one per {@code offset.lag.max} records) is sent;
     * each is about 100 bytes, so the limit bounds them at about 1 MB. The cost: where MM2's rules ask
     * for a sync at every gap in the source offsets (compacted topics, transaction markers), each is
     * written, where MM2's 10 would have merged those of a burst.
     */
    static final int OFFSET_SYNCS_IN_FLIGHT = 10_000;

    private final MirrorSourceTaskConfig config;
    private final OffsetSyncWriter offsetSyncWriter;
    private final MirrorSourceLegacyMetrics legacyMetrics;

    public MirrorSourceTaskParts(Map<String, String> taskProps) {
        config = new MirrorSourceTaskConfig(taskProps);
        offsetSyncWriter = config.emitOffsetSyncsEnabled()
                ? new OffsetSyncWriter(MirrorUtils.newProducer(config.offsetSyncsTopicProducerConfig()),
                        config.offsetSyncsTopic(), new Semaphore(OFFSET_SYNCS_IN_FLIGHT), config.maxOffsetLag())
                : null;
        legacyMetrics = config.metricNamesFormats().contains(MirrorConnectorConfig.METRIC_NAMES_LEGACY)
                ? config.legacyMetrics() : null;
    }

    /** A new consumer of the source, configured as MirrorSourceTask's ({@code source.consumer.*}, no auto commit). */
    public KafkaConsumer<byte[], byte[]> newConsumer() {
        return MirrorUtils.newConsumer(config.sourceConsumerConfig("replication-consumer"));
    }

    public Set<TopicPartition> partitions() {
        return config.taskTopicPartitions();
    }

    public String sourceAlias() {
        return config.sourceClusterAlias();
    }

    public String targetAlias() {
        return config.targetClusterAlias();
    }

    /** The target topic for a source topic, by the link's replication policy ({@code formatRemoteTopic}). */
    public String targetTopic(String sourceTopic) {
        return config.replicationPolicy().formatRemoteTopic(config.sourceClusterAlias(), sourceTopic);
    }

    /** {@code consumer.poll.timeout.ms}. */
    public Duration pollTimeout() {
        return config.consumerPollTimeout();
    }

    /** True when {@code metric.names.formats} includes {@code new}: the metrics Strait exports. */
    public boolean newMetricNames() {
        List<String> formats = config.metricNamesFormats();
        return formats.contains(MirrorConnectorConfig.METRIC_NAMES_NEW);
    }

    /** Connect's source partition map of MirrorSourceTask ({@code cluster}, {@code topic}, {@code partition}). */
    public Map<String, Object> sourcePartition(TopicPartition tp) {
        return sourcePartition(tp, config.sourceClusterAlias());
    }

    /** Connect's source partition map of MirrorSourceTask for a partition of cluster {@code sourceAlias}. */
    public static Map<String, Object> sourcePartition(TopicPartition tp, String sourceAlias) {
        return MirrorUtils.wrapPartition(tp, sourceAlias);
    }

    /**
     * MirrorSourceTask.commitRecord's offset sync: a record at {@code upstream} was written at
     * {@code downstream}. Queued, then the syncs due are sent at once, as commitRecord does: sent only
     * once per poll, a partition's first sync (and every later one within a poll) would be replaced by
     * the next before it is written, and MM2 could not translate a group committed before it.
     */
    public void queueOffsetSync(TopicPartition source, long upstream, long downstream) {
        if (offsetSyncWriter != null) {
            offsetSyncWriter.maybeQueueOffsetSyncs(source, upstream, downstream);
            offsetSyncWriter.firePendingOffsetSyncs();
        }
    }

    /** Sends the offset syncs still queued (those the limit of syncs in flight held back). */
    public void firePendingOffsetSyncs() {
        if (offsetSyncWriter != null) {
            offsetSyncWriter.firePendingOffsetSyncs();
        }
    }

    /** MirrorSourceTask.commit: the delayed offset syncs (the last record of each partition) are sent too. */
    public void commitOffsetSyncs() {
        if (offsetSyncWriter != null) {
            offsetSyncWriter.promoteDelayedOffsetSyncs();
            offsetSyncWriter.firePendingOffsetSyncs();
        }
    }

    /** MM2's legacy per-record metrics for a polled record, when configured. */
    public void legacyPolled(TopicPartition target, long ageMillis, long valueBytes) {
        if (legacyMetrics != null) {
            legacyMetrics.recordAge(target, ageMillis);
            legacyMetrics.recordBytes(target, valueBytes);
        }
    }

    /** MM2's legacy per-record metrics for a record the target acknowledged, when configured. */
    public void legacyAcked(TopicPartition target, long latencyMillis) {
        if (legacyMetrics != null) {
            legacyMetrics.countRecord(target);
            legacyMetrics.replicationLatency(target, latencyMillis);
        }
    }

    public boolean legacyMetrics() {
        return legacyMetrics != null;
    }

    @Override
    public void close() {
        Utils.closeQuietly(offsetSyncWriter, "offset sync writer");
        Utils.closeQuietly(legacyMetrics, "metrics");
    }
}
