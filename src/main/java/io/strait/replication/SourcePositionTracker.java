package io.strait.replication;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a source task knows of each of its partitions, so that no source record is skipped
 * without being counted. Pure bookkeeping, no I/O: {@link StraitSourceTask} feeds it the positions
 * it starts from, the offset of every record it polls, and the source's log start offsets.
 *
 * <p>A record offset above the one expected next is a gap. Most gaps are harmless (transaction
 * markers, records of aborted transactions that a {@code read_committed} consumer skips, records
 * removed by compaction). A gap is a loss when the source had removed its offsets before they were
 * copied: the consumer's position fell below the log start offset (retention,
 * {@code deleteRecords}) and Kafka's consumer reset it to the earliest offset
 * ({@code auto.offset.reset=earliest}, MirrorMaker 2's setting). {@link #resolve} counts
 * {@code min(logStart, gapEnd) - gapStart} offsets lost.
 */
final class SourcePositionTracker {

    /** A run of source offsets {@code [from, to)} that no polled record had. */
    record Gap(TopicPartition partition, long from, long to) {
    }

    /** How a stored position is used when the task starts. */
    enum Start {
        /** No position stored: MirrorMaker 2 starts at the earliest offset. */
        FRESH,
        /** The stored position is for this topic: resume after it. */
        RESUME,
        /** The stored position was taken on a topic of the same name that was deleted since: copy from the start. */
        RECOPY
    }

    static final class Partition {
        final String topicId;
        long expectedNext;
        long lost;
        boolean stale;
        /** The offset map of the last record handed to Connect, which Connect commits as is unless a later one follows. */
        Map<String, Object> lastOffsetMap;
        long lastOffset = -1;
        /** The lost count a position below every pending step carries. */
        private long lostBase;
        /** {@code [from, lost]}: from source offset {@code from} on, a position carries {@code lost}. */
        private final ArrayDeque<long[]> lostSteps = new ArrayDeque<>();

        Partition(String topicId, long expectedNext, long lost) {
            this.topicId = topicId;
            this.expectedNext = expectedNext;
            this.lost = lost;
            this.lostBase = lost;
        }

        /**
         * The lost count a position at {@code offset} carries: the offsets of a gap are counted only by
         * positions at or after the record that followed the gap, or a restart from an earlier position
         * would count the gap again.
         */
        long lostAt(long offset) {
            long at = lostBase;
            for (long[] step : lostSteps) {
                if (step[0] <= offset) {
                    at = step[1];
                }
            }
            return at;
        }

        /** A position at {@code offset} is being committed: steps at or below it are settled. */
        void committing(long offset) {
            while (!lostSteps.isEmpty() && lostSteps.peekFirst()[0] <= offset) {
                lostBase = lostSteps.pollFirst()[1];
            }
        }

        String topicId() {
            return topicId;
        }

        /** The offset map for a record of this partition at {@code offset}, remembered as the last one. */
        Map<String, Object> offsetMap(long offset) {
            lastOffsetMap = SourceOffset.toMap(offset, topicId, lost);
            lastOffset = offset;
            return lastOffsetMap;
        }

        long lost() {
            return lost;
        }
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();
    private final List<Gap> gaps = new ArrayList<>();

    /**
     * Registers a partition as the task starts.
     *
     * @param topicId the topic's ID now, or null when unknown
     * @param stored  the position the link committed, if any
     */
    Start start(TopicPartition tp, String topicId, Optional<SourceOffset> stored) {
        return start(tp, topicId, stored, -1);
    }

    /**
     * Registers a partition as the task starts.
     *
     * @param topicId  the topic's ID now, or null when unknown
     * @param stored   the position the link committed, if any
     * @param logStart the partition's log start offset as the task starts, or -1 when unknown: a
     *                 partition without a position is copied from there, so offsets from there that
     *                 the source removes before the first record is read are a gap like any other
     *                 (a link far behind on a new partition)
     */
    Start start(TopicPartition tp, String topicId, Optional<SourceOffset> stored, long logStart) {
        if (stored.isEmpty()) {
            partitions.put(tp, new Partition(topicId, logStart >= 0 ? logStart : -1, 0));
            return Start.FRESH;
        }
        SourceOffset position = stored.get();
        if (position.takenOnAnotherTopic(topicId)) {
            // Every offset of the new topic is new to the link: a gap from 0 is a loss.
            partitions.put(tp, new Partition(topicId, 0, position.lostRecords()));
            return Start.RECOPY;
        }
        partitions.put(tp, new Partition(topicId, position.offset() + 1, position.lostRecords()));
        return Start.RESUME;
    }

    /**
     * Notes a polled record; returns its partition's state, or null when the record must not be
     * copied (its topic was re-created under the running task, see {@link #markStale}).
     */
    Partition accept(TopicPartition tp, long offset) {
        Partition p = partitions.get(tp);
        if (p == null) {
            p = new Partition(null, -1, 0);
            partitions.put(tp, p);
        }
        if (p.stale) {
            return null;
        }
        if (p.expectedNext >= 0 && offset > p.expectedNext) {
            gaps.add(new Gap(tp, p.expectedNext, offset));
        }
        p.expectedNext = offset + 1;
        return p;
    }

    /**
     * True when a polled record's offset is below the one expected next: the consumer's position went
     * back, which a running consumer does only when its fetch position was out of range and
     * {@code auto.offset.reset=earliest} reset it: the topic was deleted and created again under
     * it, or the partition's log was truncated below the position (unclean leader election).
     */
    boolean wentBack(TopicPartition tp, long offset) {
        Partition p = partitions.get(tp);
        return p != null && !p.stale && p.expectedNext >= 0 && offset < p.expectedNext;
    }

    /** The topic was deleted and created again while the task ran: none of its records is copied any more. */
    void markStale(String topic) {
        partitions.forEach((tp, p) -> {
            if (tp.topic().equals(topic)) {
                p.stale = true;
            }
        });
    }

    boolean hasPendingGaps() {
        return !gaps.isEmpty();
    }

    /** Gaps not yet resolved, oldest first. */
    List<Gap> pendingGaps() {
        return List.copyOf(gaps);
    }

    /**
     * Resolves a pending gap with the partition's log start offset now; returns the offsets lost, or
     * -1 when it cannot be told: the log start has moved past the first record read after the gap,
     * so the source may have removed the gap's offsets after the task read past them (they were
     * transaction markers or compacted away) as well as before (a loss). Such a gap is not counted.
     */
    long resolve(Gap gap, long logStartOffset) {
        gaps.remove(gap);
        if (logStartOffset > gap.to()) {
            return -1;
        }
        long lost = Math.max(0, Math.min(logStartOffset, gap.to()) - gap.from());
        Partition p = partitions.get(gap.partition());
        if (p != null && lost > 0) {
            p.lost += lost;
            p.lostSteps.addLast(new long[] {gap.to(), p.lost});
            // The records after the gap may all be handed to Connect already: the last one's map,
            // which Connect commits when it flushes, carries the count (records before the gap never do,
            // or a restart from one of them would count the gap again).
            if (p.lastOffsetMap != null && p.lastOffset >= gap.to()) {
                p.lastOffsetMap.put(SourceOffset.LOST_RECORDS, p.lost);
            }
        }
        return lost;
    }

    /** The topic IDs the partitions were registered with (null where unknown), by topic. */
    Map<String, String> topicIds() {
        Map<String, String> ids = new HashMap<>();
        partitions.forEach((tp, p) -> ids.putIfAbsent(tp.topic(), p.topicId));
        return ids;
    }
}
