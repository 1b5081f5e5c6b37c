package io.strait.replication;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How Strait's source tasks, which Kafka Connect runs inside the daemon's JVM, tell their link's
 * replicator what they noticed on the source. Keyed by the link ({@code source->target}); with
 * several instances (scale-out), the instance that runs the task hears of it.
 */
public final class SourceTaskEvents {

    /** What a link's replicator does with its tasks' news. */
    public interface Listener {
        /**
         * A source topic was deleted and created again (its topic ID changed).
         *
         * @param restart true when the task was running on the old topic and needs a restart to copy
         *                the new one from its beginning; false when it found out at start and does so already
         */
        void topicRecreated(String topic, String oldTopicId, String newTopicId, boolean restart);

        /**
         * The task held back a topic whose ID it could not learn at start, and has learnt since that
         * it is the topic its positions were taken on: a restart resumes it from those positions.
         */
        void restartRequested(String topic, String topicId);

        /** Source offsets {@code [from, to)} of a partition were removed before they were copied; {@code count} of them. */
        void recordsLost(String topic, int partition, long from, long to, long count);
    }

    private static final Map<String, Listener> LISTENERS = new ConcurrentHashMap<>();

    private SourceTaskEvents() {
    }

    static void register(String link, Listener listener) {
        LISTENERS.put(link, listener);
    }

    static void unregister(String link, Listener listener) {
        LISTENERS.remove(link, listener);
    }

    /** The link's listener, or null when no replicator of this JVM listens (the task then logs itself). */
    static Listener listener(String link) {
        return LISTENERS.get(link);
    }
}
