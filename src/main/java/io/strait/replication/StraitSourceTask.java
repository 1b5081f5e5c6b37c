package io.strait.replication;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.mirror.MirrorSourceTask;
import org.apache.kafka.connect.mirror.MirrorUtils;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * MirrorMaker 2's source task, which copies every record exactly as {@link MirrorSourceTask} does,
 * with what it lacks to never skip a record silently:
 * <ul>
 *   <li>Each committed position carries the source topic's ID ({@link SourceOffset}). A topic
 *       deleted and created again under the same name is copied from its beginning, instead of
 *       from the old topic's position (MirrorMaker 2 keys positions by name only). Found at start
 *       from the stored position, and while running by asking the source every
 *       {@link #TOPIC_ID_CHECK_EVERY}: from then on, records the running task takes from the new
 *       topic at the old position are not copied, and the link restarts the task. The consumer
 *       usually meets the new topic first (its position is out of range and goes back to the
 *       earliest offset): a position that goes back makes the task ask for the topic's ID at once,
 *       before it copies any record of the new topic.</li>
 *   <li>Source offsets removed before they were copied (retention or {@code deleteRecords} overtook
 *       the link; see {@link SourcePositionTracker}) are counted per partition and kept in the
 *       committed position, since no one can copy them any more.</li>
 * </ul>
 * Both are reported to the link's replicator ({@link SourceTaskEvents}): a log line, an event in
 * {@code /status} and a counter.
 */
public class StraitSourceTask extends MirrorSourceTask {

    private static final Logger log = LoggerFactory.getLogger(StraitSourceTask.class);
    static final Duration TOPIC_ID_CHECK_EVERY = Duration.ofSeconds(5);
    static final Duration GAP_CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final Time time = Time.SYSTEM;
    private final SourcePositionTracker tracker = new SourcePositionTracker();
    private String link;
    private Admin admin;
    private Set<String> topics = Set.of();
    private Map<String, String> topicIdsAtStart = Map.of();
    /** The topic ID the stored positions were taken on, by topic, where they name one. */
    private final Map<String, String> storedTopicIds = new HashMap<>();
    /** Each partition's log start offset as the task started (absent where the source did not answer). */
    private Map<TopicPartition, Long> logStartsAtStart = Map.of();
    /** Topics found re-created when the task started, and while it ran: each reported once. */
    private final Set<String> recopiedAtStart = new HashSet<>();
    private final Set<String> recreatedWhileRunning = new HashSet<>();
    /** Topics held back because their position went back while their ID could not be learnt. */
    private final Set<String> wentBackUnknown = new HashSet<>();
    private long nextTopicIdCheck;
    private long nextGapCheck;
    private boolean started;
    private OffsetMapWriter offsetMap;
    /** The copy loop of an at-least-once link; null when Connect's path copies (exactly-once). */
    private DirectCopy copy;

    @Override
    public void initialize(SourceTaskContext context) {
        super.initialize(new GuardedContext(context));
    }

    @Override
    public void start(Map<String, String> props) {
        link = StraitMirrorAccess.link(props);
        Set<TopicPartition> partitions = StraitMirrorAccess.taskTopicPartitions(props);
        Map<String, Object> adminConfig = StraitMirrorAccess.sourceAdminConfig(props, "strait-source-guard");
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        admin = Admin.create(adminConfig);
        topics = new HashSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        topicIdsAtStart = new HashMap<>(topicIds(topics));
        logStartsAtStart = logStarts(partitions);
        nextTopicIdCheck = time.milliseconds() + TOPIC_ID_CHECK_EVERY.toMillis();
        Map<String, String> idsAtStart = topicIdsAtStart;
        offsetMap = new OffsetMapWriter(OffsetMapWriter.newProducer(
                StraitMirrorAccess.targetProducerConfig(props, "strait-offset-map")),
                FailoverTopics.offsetMap(StraitMirrorAccess.sourceAlias(props)), link, idsAtStart::get);
        // MirrorSourceTask and DirectCopy read each partition's position through the context's offset
        // reader, which is GuardedContext's: that is where a position of a deleted topic is dropped.
        if (Boolean.parseBoolean(props.get(DirectCopy.ENABLED))) {
            copy = new DirectCopy(link, props, context.pluginMetrics(), context.offsetStorageReader(), offsetMap, time);
        } else {
            super.start(props);
            started = true;
        }
    }

    /**
     * At-least-once: one round of the copy loop ({@link DirectCopy}), which writes the records
     * itself, so nothing is handed to Connect. Exactly-once: MirrorSourceTask's records, for
     * Connect's transactional producer.
     */
    @Override
    public List<SourceRecord> poll() {
        if (copy != null) {
            copy.poll(this::admit);
            checkSource();
            return null;
        }
        List<SourceRecord> polled = super.poll();
        if (polled == null) {
            checkSource();
            return null;
        }
        List<SourceRecord> copied = new ArrayList<>(polled.size());
        for (SourceRecord record : polled) {
            TopicPartition tp = MirrorUtils.unwrapPartition(record.sourcePartition());
            long offset = ((Number) record.sourceOffset().get(SourceOffset.OFFSET)).longValue();
            SourcePositionTracker.Partition partition = admit(tp, offset);
            if (partition == null) {
                continue;
            }
            copied.add(new SourceRecord(record.sourcePartition(), partition.offsetMap(offset),
                    record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    record.valueSchema(), record.value(), record.timestamp(), record.headers()));
        }
        checkSource();
        return copied.isEmpty() ? null : copied;
    }

    /**
     * Whether a polled record of {@code tp} at {@code offset} is copied: its partition's position state,
     * or null when it must not be (its topic was re-created under the running task). A position that
     * went back is looked into at once, and a gap's loss is resolved before the record after it is copied.
     */
    private SourcePositionTracker.Partition admit(TopicPartition tp, long offset) {
        if (tracker.wentBack(tp, offset)) {
            positionWentBack(tp, offset);
        }
        SourcePositionTracker.Partition partition = tracker.accept(tp, offset);
        if (partition != null && tracker.hasPendingGaps() && time.milliseconds() >= nextGapCheck) {
            // At once, so that this record's position already counts what the gap lost.
            resolveGaps();
        }
        return partition;
    }

    /**
     * MirrorMaker 2's bookkeeping (metrics, offset syncs), then the offset map: this record's source
     * offset and the target offset of its copy ({@link OffsetMapWriter}).
     */
    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        super.commitRecord(record, metadata);
        if (metadata != null && metadata.hasOffset() && offsetMap != null) {
            Object offset = record.sourceOffset().get(SourceOffset.OFFSET);
            offsetMap.copied(MirrorUtils.unwrapPartition(record.sourcePartition()), ((Number) offset).longValue(),
                    metadata.offset());
        }
    }

    /** After each offset commit: MirrorMaker 2's pending offset syncs, then the offset map's tails. */
    @Override
    public void commit() {
        if (copy != null) {
            // The copy loop commits its own offsets, syncs and tails.
            return;
        }
        super.commit();
        if (offsetMap != null) {
            offsetMap.commit();
        }
    }

    @Override
    public void stop() {
        if (copy != null) {
            copy.close();
        }
        if (started) {
            super.stop();
        }
        if (offsetMap != null) {
            offsetMap.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }

    /**
     * The consumer's position on {@code tp} went back to {@code offset}: it found its position out of
     * range and reset to the earliest offset. When the topic was created again, this usually happens
     * before the periodic check of topic IDs sees it, so the topic's ID is asked now, before a record
     * of the new topic is copied as the old one's (they would be copied again after the restart:
     * duplicates). The same topic (its log truncated below the position): MirrorMaker 2 copies the
     * records from the earliest offset again, which is logged.
     */
    private void positionWentBack(TopicPartition tp, long offset) {
        String topic = tp.topic();
        String before = topicIdsAtStart.get(topic);
        String id = topicIds(Set.of(topic)).get(topic);
        if (id != null && id.equals(before)) {
            log.warn("Link {}: the position on {} went back to offset {} (its log was truncated below the position,"
                    + " for example by an unclean leader election); records from there are copied again", link, tp, offset);
            return;
        }
        // Created again, or cannot be told yet: copy nothing more of the topic until it is known.
        tracker.markStale(topic);
        if (id == null) {
            wentBackUnknown.add(topic);
            nextTopicIdCheck = time.milliseconds();
        } else if (recreatedWhileRunning.add(topic)) {
            report(topic, before != null ? before : storedTopicIds.get(topic), id, true);
        }
    }

    /** Resolves gaps (at most every second) and looks for re-created topics (every 5 s). */
    private void checkSource() {
        long now = time.milliseconds();
        if (now >= nextGapCheck && tracker.hasPendingGaps()) {
            resolveGaps();
        }
        if (now >= nextTopicIdCheck) {
            nextTopicIdCheck = now + TOPIC_ID_CHECK_EVERY.toMillis();
            Map<String, String> ids = topicIds(topics);
            ids.forEach((topic, id) -> {
                String before = topicIdsAtStart.get(topic);
                if (id != null && id.equals(before) && wentBackUnknown.remove(topic)) {
                    // Held back after its position went back (positionWentBack): the same topic after all.
                    // The records polled meanwhile were not copied, so the task resumes from its committed positions.
                    SourceTaskEvents.Listener listener = SourceTaskEvents.listener(link);
                    if (listener != null) {
                        listener.restartRequested(topic, id);
                    }
                    return;
                }
                if (id == null || id.equals(before)) {
                    return;
                }
                String stored = storedTopicIds.get(topic);
                if (before == null && (stored == null || stored.equals(id))) {
                    // Unknown at start (the source did not answer), and the same topic after all. Records
                    // polled meanwhile were held back, so the task restarts from its committed positions.
                    topicIdsAtStart.put(topic, id);
                    SourceTaskEvents.Listener listener = SourceTaskEvents.listener(link);
                    if (listener != null) {
                        listener.restartRequested(topic, id);
                    }
                } else if (recreatedWhileRunning.add(topic)) {
                    tracker.markStale(topic);
                    report(topic, before != null ? before : stored, id, true);
                }
            });
        }
    }

    /** Asks the source for the log start offsets of the partitions with gaps (at most once a second). */
    private void resolveGaps() {
        nextGapCheck = time.milliseconds() + GAP_CHECK_EVERY.toMillis();
        List<SourcePositionTracker.Gap> gaps = tracker.pendingGaps();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        gaps.forEach(g -> earliest.put(g.partition(), OffsetSpec.earliest()));
        Map<TopicPartition, Long> logStart = new HashMap<>();
        try {
            admin.listOffsets(earliest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> logStart.put(tp, info.offset()));
        } catch (Exception e) {
            log.debug("Could not read log start offsets of {} for link {}; trying again", earliest.keySet(), link, e);
            return;
        }
        for (SourcePositionTracker.Gap gap : gaps) {
            Long start = logStart.get(gap.partition());
            if (start == null) {
                continue;
            }
            long lost = tracker.resolve(gap, start);
            if (lost < 0) {
                log.warn("Link {}: source offsets {} to {} of {} were skipped and the source has removed them since;"
                        + " they may have been transaction markers or compacted records, or records removed before"
                        + " they were copied: not counted as lost", link, gap.from(), gap.to() - 1, gap.partition());
            } else if (lost > 0) {
                SourceTaskEvents.Listener listener = SourceTaskEvents.listener(link);
                if (listener != null) {
                    listener.recordsLost(gap.partition().topic(), gap.partition().partition(), gap.from(),
                            gap.from() + lost, lost);
                } else {
                    log.warn("Link {}: source offsets {} to {} of {} were removed at the source before they were"
                            + " copied ({} lost)", link, gap.from(), gap.from() + lost - 1, gap.partition(),
                            lost == 1 ? "1 record" : lost + " records");
                }
            }
        }
    }

    /** The partitions' log start offsets now; empty when the source does not answer (then no gap before a first record is seen). */
    private Map<TopicPartition, Long> logStarts(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
        Map<TopicPartition, Long> starts = new HashMap<>();
        try {
            admin.listOffsets(earliest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> starts.put(tp, info.offset()));
        } catch (Exception e) {
            log.debug("Could not read the log start offsets of {} for link {}", partitions, link, e);
        }
        return starts;
    }

    /** Each topic's ID now (base64), or null for a topic the source does not have (deleted) or cannot tell. */
    private Map<String, String> topicIds(Collection<String> names) {
        Map<String, String> ids = new HashMap<>();
        if (names.isEmpty()) {
            return ids;
        }
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names).topicNameValues();
        described.forEach((topic, future) -> {
            try {
                ids.put(topic, future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).topicId().toString());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    log.debug("Could not describe {} for link {}", topic, link, e);
                }
                ids.put(topic, null);
            } catch (Exception e) {
                ids.put(topic, null);
            }
        });
        return ids;
    }

    private void report(String topic, String oldId, String newId, boolean restart) {
        SourceTaskEvents.Listener listener = SourceTaskEvents.listener(link);
        if (listener != null) {
            listener.topicRecreated(topic, oldId, newId, restart);
        } else {
            log.warn("Link {}: source topic {} was deleted and created again (topic ID {} -> {}); it is copied from"
                    + " its beginning{}", link, topic, oldId, newId, restart ? " once the task restarts" : "");
        }
    }

    /** The task's context, whose offset reader drops positions taken on a topic since deleted. */
    private final class GuardedContext implements SourceTaskContext {
        private final SourceTaskContext context;

        GuardedContext(SourceTaskContext context) {
            this.context = context;
        }

        @Override
        public Map<String, String> configs() {
            return context.configs();
        }

        @Override
        public TransactionContext transactionContext() {
            return context.transactionContext();
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return context.pluginMetrics();
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            OffsetStorageReader reader = context.offsetStorageReader();
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return guard(partition, reader.offset(partition));
                }

                @Override
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    Map<Map<String, T>, Map<String, Object>> stored = reader.offsets(partitions);
                    Map<Map<String, T>, Map<String, Object>> guarded = new HashMap<>();
                    stored.forEach((partition, offset) -> guarded.put(partition, guard(partition, offset)));
                    return guarded;
                }
            };
        }

        private Map<String, Object> guard(Map<String, ?> partition, Map<String, Object> stored) {
            TopicPartition tp = MirrorUtils.unwrapPartition(partition);
            String topicId = topicIdsAtStart.get(tp.topic());
            var position = SourceOffset.from(stored);
            position.flatMap(SourceOffset::topicId).ifPresent(id -> storedTopicIds.put(tp.topic(), id));
            SourcePositionTracker.Start start = tracker.start(tp, topicId, position,
                    logStartsAtStart.getOrDefault(tp, -1L));
            if (start == SourcePositionTracker.Start.RECOPY) {
                if (recopiedAtStart.add(tp.topic())) {
                    report(tp.topic(), position.get().topicId().orElse(null), topicId, false);
                }
                return null;
            }
            if (topicId == null && position.flatMap(SourceOffset::topicId).isPresent()) {
                // The topic is gone (deleted, perhaps to be created again): copy nothing of it until
                // its ID is known, or a new topic's records would be stamped as the old one's.
                tracker.markStale(tp.topic());
            }
            return stored;
        }
    }
}
