package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Notices a replicated topic deleted on the link's target, by its topic ID. MirrorMaker 2 creates
 * it again at its next refresh (with the source's partitions) and goes on copying into it; what had
 * been copied before the deletion is gone from the target. Strait says so in the log and in the
 * status. Not thread-safe: one thread calls {@link #check()}.
 */
final class TargetTopicWatcher {

    private final LinkId link;
    private final ReplicationPlanner.TopicRule rule;
    private final Admin source;
    private final Admin target;
    private final Duration timeout;
    private final Consumer<String> event;
    private final Consumer<String> restartSourceTasks;
    /** Target topics of the link that have existed, with the topic ID last seen. */
    private final Map<String, Uuid> topicIds = new HashMap<>();
    private final Set<String> missing = new HashSet<>();

    /**
     * @param rule               the link's topic rule: which source topics it copies, to which target names
     * @param timeout            how long each admin call may take; a check that times out is skipped
     * @param event              records a notable thing about the link (log and status events)
     * @param restartSourceTasks restarts the link's source tasks, saying why: after a target topic was
     *                           created again, their producers still carry the old topic's sequence
     *                           numbers and the broker refuses their writes (OutOfOrderSequenceException)
     */
    TargetTopicWatcher(LinkId link, ReplicationPlanner.TopicRule rule, Admin source, Admin target, Duration timeout,
                       Consumer<String> event, Consumer<String> restartSourceTasks) {
        this.link = link;
        this.rule = rule;
        this.source = source;
        this.target = target;
        this.timeout = timeout;
        this.event = event;
        this.restartSourceTasks = restartSourceTasks;
    }

    /** Lists the source's topics, describes their target topics and compares their IDs with those seen before. */
    void check() {
        // The target topics this link writes: its source topics, through the rule `plan` uses.
        Set<String> expected = new TreeSet<>();
        try {
            for (String topic : source.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!rule.isHeartbeats(topic)) {
                    rule.target(topic).ifPresent(expected::add);
                }
            }
        } catch (Exception e) {
            return;
        }
        if (expected.isEmpty()) {
            return;
        }
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry
                : target.describeTopics(expected).topicNameValues().entrySet()) {
            String topic = entry.getKey();
            Uuid known = topicIds.get(topic);
            try {
                Uuid id = entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS).topicId();
                // A deleted topic may be created again at once (MirrorMaker 2's refresh, or a producer's
                // metadata request with the broker's auto.create.topics.enable): its topic ID tells.
                if (known != null && !known.equals(id)) {
                    if (!missing.contains(topic)) {
                        event.accept("target topic " + topic + " was deleted on " + link.target() + " and created again;"
                                + " the records copied before the deletion are gone from the target");
                    }
                    restartSourceTasks.accept("so that they write into the new " + topic);
                }
                topicIds.put(topic, id);
                missing.remove(topic);
            } catch (ExecutionException e) {
                // Gone after it existed: deleted (reported once, until it is back).
                if (e.getCause() instanceof UnknownTopicOrPartitionException && known != null && missing.add(topic)) {
                    event.accept("target topic " + topic + " was deleted on " + link.target() + "; MirrorMaker 2 creates"
                            + " it again at its next refresh, and the records copied before the deletion are gone from"
                            + " the target");
                }
            } catch (Exception e) {
                return;
            }
        }
    }
}
