package io.strait.failover;

import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Where a consumer group stands on a link's source, and where that is on the target: the pure part
 * of {@link FailoverPlanner}, with no client. A position is the group's committed offset read now,
 * or, when the source cannot be reached, the newest one recorded while it could (Strait's checkpoint
 * or MirrorMaker 2's). Its translation is Strait's exact checkpoint when one holds that very offset,
 * else the offset map's.
 */
final class GroupPositions {

    /** A group's positions by source partition, with when each was recorded (none when read now). */
    record Recorded(Map<TopicPartition, Long> offsets, Map<TopicPartition, Instant> at) {
    }

    /** A translation no further than the target's end, and the records past it (not copied yet). */
    record Clamped(Optional<OffsetMap.Translation> translation, long behind) {
    }

    private GroupPositions() {
    }

    /**
     * The group's last recorded positions: Strait's checkpoints, replaced by MirrorMaker 2's where that
     * one is newer.
     *
     * @param sourceTopic the source topic of a target topic, by the link's replication policy
     */
    static Recorded lastRecorded(Map<TopicPartition, GroupCheckpoint> strait,
                                 Map<TopicPartition, LinkEnds.Mm2Checkpoint> mm2,
                                 Function<String, Optional<String>> sourceTopic) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, Instant> at = new HashMap<>();
        strait.forEach((tp, c) -> {
            offsets.put(tp, c.upstream());
            at.put(tp, c.at());
        });
        mm2.values().forEach(c -> sourceTopic.apply(c.target().topic()).ifPresent(topic -> {
            TopicPartition tp = new TopicPartition(topic, c.target().partition());
            Instant recorded = at.get(tp);
            if (recorded == null || c.at().isAfter(recorded)) {
                offsets.put(tp, c.upstream());
                at.put(tp, c.at());
            }
        }));
        return new Recorded(offsets, at);
    }

    /**
     * Strait's translation of the group's position {@code committed} on {@code source}.
     *
     * @param checkpointed Strait's stored checkpoint of the partition, or null
     * @param reuseExact   whether an exact stored checkpoint of the same offset is used as it is
     *                     (the daemon's rounds; a translation once exact stays right)
     * @param topicId      the source topic's ID now, when the source answers
     * @param sourceCounter counts records on the source where the map alone cannot place the offset
     */
    static Optional<OffsetMap.Translation> translate(TopicPartition source, long committed, GroupCheckpoint checkpointed,
                                                     boolean sourceUp, boolean reuseExact, OffsetMap map,
                                                     Optional<String> topicId, Optional<OffsetMap.Counter> sourceCounter) {
        if (sourceUp && reuseExact && checkpointed != null && checkpointed.upstream() == committed && checkpointed.exact()) {
            return Optional.of(new OffsetMap.Translation(checkpointed.downstream(), true, 0, 0,
                    "Strait's checkpoint of " + checkpointed.at()));
        }
        if (sourceUp) {
            return map.toTarget(source, committed, topicId, OptionalLong.empty(), sourceCounter);
        }
        if (checkpointed != null && checkpointed.upstream() == committed) {
            return Optional.of(new OffsetMap.Translation(checkpointed.downstream(), checkpointed.exact(),
                    checkpointed.uncertainty(), 0, "Strait's checkpoint of " + checkpointed.at()));
        }
        return map.toTarget(source, committed, map.latestTopicId(source), OptionalLong.empty(), Optional.empty());
    }

    /** A translation past the target's end {@code end} (null: unknown) is moved to the end. */
    static Clamped clampToEnd(Optional<OffsetMap.Translation> translation, Long end) {
        if (translation.isEmpty() || end == null || translation.get().offset() <= end) {
            return new Clamped(translation, 0);
        }
        OffsetMap.Translation t = translation.get();
        return new Clamped(Optional.of(new OffsetMap.Translation(end, t.exact(), t.uncertainty(), t.duplicates(),
                t.basis() + ", at the target's end")), t.offset() - end);
    }
}
