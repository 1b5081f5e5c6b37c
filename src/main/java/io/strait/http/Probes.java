package io.strait.http;

import io.strait.replication.LinkReplicator;
import io.strait.replication.LinkReplicator.State;
import io.strait.topology.LinkId;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The answers of {@code GET /healthy} (liveness) and {@code GET /ready} (readiness), with their
 * JSON: pure functions of state the daemon keeps, in the manner of Kafka Connect's
 * {@code RootResource} health check (200 when fine, 503 while starting, 500 when broken).
 */
public final class Probes {

    private Probes() {
    }

    /**
     * The body of {@code /healthy}.
     *
     * @param healthy false when the daemon's own threads made no progress for 30 s (wedged)
     */
    public record Healthy(boolean healthy, String reason) {
        /** 200 when healthy, else 500. */
        public int code() {
            return healthy ? 200 : 500;
        }
    }

    /**
     * The body of {@code /ready}.
     *
     * @param ready true when there are links and each is RUNNING or DEGRADED
     * @param links each link that is not RUNNING, by {@code source->target}, with why
     */
    public record Ready(boolean ready, SortedMap<String, Unwell> links) {
        /** 200 when ready, else 503. */
        public int code() {
            return ready ? 200 : 503;
        }
    }

    /** A link that is not RUNNING: its state and why (its detail, or what that state means). */
    public record Unwell(State state, String reason) {
    }

    /** The body of a request not served: an unknown path (404) or a method other than GET and HEAD (405). */
    public record NotServed(String error) {
    }

    /** {@code /healthy} of a daemon that is alive or wedged. */
    public static Healthy healthy(boolean alive) {
        return new Healthy(alive, alive ? "the daemon is making progress"
                : "the daemon's threads made no progress for 30 s");
    }

    /**
     * {@code /ready} of the daemon's links. A DEGRADED link copies what it can, and what it lacks is
     * on the clusters, which a new pod would not change: it is named, but leaves the pod ready, so
     * a rollout is not held up.
     */
    public static Ready ready(Map<LinkId, LinkReplicator.Status> links) {
        SortedMap<String, Unwell> unwell = new TreeMap<>();
        links.forEach((id, status) -> {
            if (status.state() != State.RUNNING) {
                unwell.put(id.toString(), new Unwell(status.state(), status.detail().orElse(status.state() == State.STARTING
                        ? "starting: joining its Connect group and starting connectors" : "not running")));
            }
        });
        boolean ready = !links.isEmpty() && links.values().stream()
                .allMatch(s -> s.state() == State.RUNNING || s.state() == State.DEGRADED);
        return new Ready(ready, unwell);
    }
}
