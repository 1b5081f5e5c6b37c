package org.apache.kafka.connect.mirror;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * MirrorMaker 2's checkpoint task, unchanged but for one check before it writes a group's offsets
 * on the target (its automatic sync, {@code sync.group.offsets.enabled}). MirrorCheckpointTask
 * takes a group missing from its last snapshot of idle groups on the target for a new one and
 * writes the translated offsets whatever the group holds there. A group that was consuming on the
 * target when the snapshot was taken, and has stopped since, is then moved back to the
 * translation of its old source position: its consumers read again everything they had read on
 * the target (KAFKA-19794, open in Kafka 4.3.1). Strait measured it after a failover: a group that
 * had read 6,667 records of a partition on the target was moved back to 3,233.
 *
 * <p>So, right before writing, this task asks the target again: a group with members is left alone,
 * and a group without members gets only the partitions where the translation is past what it
 * holds (MirrorMaker 2's own rule for idle groups: never rewind). Lives in MirrorMaker 2's package
 * only to override the package-private {@code syncGroupOffset}; {@code StraitCheckpointTaskIT} pins it.
 */
public class StraitCheckpointTask extends MirrorCheckpointTask {

    private static final Logger log = LoggerFactory.getLogger(StraitCheckpointTask.class);

    private Admin guard;
    private long timeoutMs;

    @Override
    public void start(Map<String, String> props) {
        MirrorCheckpointTaskConfig config = new MirrorCheckpointTaskConfig(props);
        guard = config.forwardingAdmin(config.targetAdminConfig("strait-sync-guard"));
        timeoutMs = config.adminTimeout().toMillis();
        super.start(props);
    }

    @Override
    void syncGroupOffset(String group, Map<TopicPartition, OffsetAndMetadata> offsetToSync)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> forward = forwardOnly(group, offsetToSync);
        if (!forward.isEmpty()) {
            super.syncGroupOffset(group, forward);
        }
    }

    /**
     * The part of {@code offsetToSync} that moves the group forward on the target, as the target holds
     * it now: nothing for a group with members, everything for a group it does not know.
     */
    Map<TopicPartition, OffsetAndMetadata> forwardOnly(String group, Map<TopicPartition, OffsetAndMetadata> offsetToSync)
            throws ExecutionException, InterruptedException {
        GroupState state;
        try {
            ConsumerGroupDescription description = guard.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(timeoutMs, TimeUnit.MILLISECONDS);
            state = description.groupState();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
            state = GroupState.DEAD;
        } catch (java.util.concurrent.TimeoutException e) {
            log.debug("Not syncing offsets of group {}: no answer from the target in time", group);
            return Map.of();
        }
        if (state == GroupState.DEAD) {
            return offsetToSync;
        }
        if (state != GroupState.EMPTY) {
            log.debug("Not syncing offsets of group {}: it is {} on the target", group, state);
            return Map.of();
        }
        Map<TopicPartition, OffsetAndMetadata> held;
        try {
            held = guard.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return Map.of();
        }
        Map<TopicPartition, OffsetAndMetadata> forward = new HashMap<>();
        offsetToSync.forEach((tp, offset) -> {
            OffsetAndMetadata now = held.get(tp);
            if (now == null || now.offset() < offset.offset()) {
                forward.put(tp, offset);
            } else if (now.offset() > offset.offset()) {
                log.debug("Not moving group {} back on {} from {} to {}", group, tp, now.offset(), offset.offset());
            }
        });
        return forward;
    }

    @Override
    public void stop() {
        super.stop();
        Utils.closeQuietly(guard, "sync guard admin client");
    }
}
