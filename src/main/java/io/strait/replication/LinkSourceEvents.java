package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What a link's source tasks report ({@link SourceTaskEvents}): counted here, by source topic, and
 * turned into the link's events and task restarts on the link's own thread. Every task with a
 * partition of a topic reports the topic's re-creation: it is counted, told and acted on once.
 */
final class LinkSourceEvents implements SourceTaskEvents.Listener {

    private final LinkId link;
    private final Executor linkThread;
    private final Consumer<String> event;
    private final Consumer<String> restartUntilDone;
    private final Map<String, Long> recordsLost = new ConcurrentHashMap<>();
    private final Map<String, Long> recreations = new ConcurrentHashMap<>();
    private final Set<String> recreationsSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> restartsDone = ConcurrentHashMap.newKeySet();

    /**
     * @param linkThread       the link's thread, where events and restarts run
     * @param event            records a notable thing about the link (log and status events)
     * @param restartUntilDone restarts the link's source tasks for a topic, until Connect accepts it
     */
    LinkSourceEvents(LinkId link, Executor linkThread, Consumer<String> event, Consumer<String> restartUntilDone) {
        this.link = link;
        this.linkThread = linkThread;
        this.event = event;
        this.restartUntilDone = restartUntilDone;
    }

    /** Source offsets found removed before they were copied, by source topic, since the link was created. */
    Map<String, Long> recordsLost() {
        return Map.copyOf(recordsLost);
    }

    /** Source topics found deleted and created again, by source topic, since the link was created. */
    Map<String, Long> recreations() {
        return Map.copyOf(recreations);
    }

    @Override
    public void topicRecreated(String topic, String oldTopicId, String newTopicId, boolean restart) {
        // Every task with a partition of the topic finds it: one re-creation, one report; and one
        // restart for the tasks that were copying the old topic when it went.
        boolean first = recreationsSeen.add(topic + "/" + newTopicId);
        boolean restartNow = restart && restartsDone.add(topic + "/" + newTopicId);
        if (first) {
            recreations.merge(topic, 1L, Long::sum);
        }
        linkThread.execute(() -> {
            if (first) {
                event.accept("source topic " + topic + " was deleted and created again on " + link.source()
                        + " (topic ID " + oldTopicId + " -> " + newTopicId + "); it is copied from its beginning, after"
                        + " the records already copied from the old topic, which stay on the target");
            }
            if (restartNow) {
                event.accept("restarting the tasks of " + sourceConnector() + " so that they copy the new " + topic
                        + " from its beginning");
                restartUntilDone.accept(topic);
            }
        });
    }

    @Override
    public void restartRequested(String topic, String topicId) {
        if (restartsDone.add("known/" + topic + "/" + topicId)) {
            linkThread.execute(() -> {
                event.accept("source topic " + topic + " could not be described when the tasks started; it is the same"
                        + " topic (ID " + topicId + "): restarting the tasks of " + sourceConnector()
                        + " so that they resume it from their committed positions");
                restartUntilDone.accept(topic);
            });
        }
    }

    @Override
    public void recordsLost(String topic, int partition, long from, long to, long count) {
        recordsLost.merge(topic, count, Long::sum);
        linkThread.execute(() -> event.accept(count + (count == 1 ? " record" : " records") + " of " + topic + "-"
                + partition + " (source offsets " + from + " to " + (to - 1) + ") were removed on " + link.source()
                + " before the link copied them (retention or deleted records); they are lost"));
    }

    private String sourceConnector() {
        return MirrorSettings.connectorName(link, MirrorSourceConnector.class);
    }
}
