package io.strait.replication;

import io.strait.replication.LinkReplicator.State;
import io.strait.topology.LinkId;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state machine that supervises one link, apart from any I/O: {@link LinkReplicator} tells it
 * what it saw (a start that failed, a probe's answer, Connect's view of the connectors) and does
 * what it answers (retry now or later, restart which connectors). Time comes from Kafka's
 * {@link Time}: {@code Time.SYSTEM} in the daemon, {@code MockTime} in tests.
 *
 * <p>The rules:
 * <ul>
 *   <li><b>Back-off.</b> Each failure (a herder that could not start or died, a restart of failed
 *   connectors or tasks) waits twice as long as the one before before the next try: 2 s, 4 s,
 *   8 s, ... at most 60 s. A link that runs cleanly starts again from 2 s.</li>
 *   <li><b>Anti-flap.</b> After a connector or task failed, the link stays FAILING ("restarted
 *   after: ...") until everything has run for 30 s without a new failure, so that a task that fails
 *   again at once does not flap between FAILING and RUNNING.</li>
 *   <li><b>Out of reach.</b> While the last probe (every 5 s) found a cluster out of reach, the link
 *   is FAILING with that reason; Kafka Connect retries on its own meanwhile.</li>
 * </ul>
 * Thread-safe: the link's scheduler thread drives it; {@link #stop()} may come from another.
 */
final class LinkSupervisor {

    private static final Logger log = LoggerFactory.getLogger(LinkSupervisor.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** How long restarted tasks must run without failing before the link counts as recovered. */
    static final Duration RECOVERED_AFTER = Duration.ofSeconds(30);
    /** How often a running link checks that it still reaches both its clusters. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(5);

    private final LinkId link;
    private final Time time;
    private State state = State.STOPPED;
    private Optional<String> detail = Optional.empty();
    private Instant since;
    private int failures;
    private long nextRetryNanos = Long.MIN_VALUE;
    private long nextProbeNanos = Long.MIN_VALUE;
    private String lastFailure;
    private long lastFailureNanos;
    private long startNanos;
    private boolean announcedRunning;
    private Optional<String> unreachable = Optional.empty();

    LinkSupervisor(LinkId link, Time time) {
        this.link = link;
        this.time = time;
        this.since = now();
    }

    synchronized State state() {
        return state;
    }

    /** Why the link is not running, or empty. */
    synchronized Optional<String> detail() {
        return detail;
    }

    /** When the link entered its current state. */
    synchronized Instant since() {
        return since;
    }

    /** The instant now, by the supervisor's clock (for the link's events). */
    Instant now() {
        return Instant.ofEpochMilli(time.milliseconds());
    }

    /** The link starts: STARTING. */
    synchronized void start() {
        startNanos = time.nanoseconds();
        move(State.STARTING, Optional.empty());
    }

    /** The link stopped on request: STOPPED. */
    synchronized void stop() {
        move(State.STOPPED, Optional.empty());
    }

    /** True when the back-off after the last failure is over: a herder may be started (again). */
    synchronized boolean retryDue() {
        return time.nanoseconds() >= nextRetryNanos;
    }

    /** True at most once every {@link #PROBE_EVERY}: time to ask both clusters whether they answer. */
    synchronized boolean probeDue() {
        long now = time.nanoseconds();
        if (now < nextProbeNanos) {
            return false;
        }
        nextProbeNanos = now + PROBE_EVERY.toNanos();
        return true;
    }

    /**
     * The link could not start, or its herder had to be stopped: FAILING for {@code why}, and the
     * next start waits for the back-off.
     *
     * @return how long until the next try
     */
    synchronized Duration fail(String why) {
        Duration delay = backOff();
        log.warn("Link {} is failing: {}; retrying in {} s", link, why, delay.toSeconds());
        move(State.FAILING, Optional.of(why));
        return delay;
    }

    /** What the latest probe found: which cluster is out of reach and why, or empty when both answer. */
    synchronized void probed(Optional<String> outOfReach) {
        if (outOfReach.isPresent() && unreachable.isEmpty()) {
            log.warn("Link {} is failing: {}; Kafka Connect keeps retrying", link, outOfReach.get());
        } else if (outOfReach.isEmpty() && unreachable.isPresent()) {
            log.info("Link {} reaches its clusters again", link);
        }
        unreachable = outOfReach;
    }

    /** True while the latest probe found a cluster out of reach; the link is then FAILING for that reason. */
    synchronized boolean outOfReach() {
        if (unreachable.isPresent()) {
            move(State.FAILING, unreachable);
        }
        return unreachable.isPresent();
    }

    /**
     * Judges Connect's view of the running link and moves to the state it shows.
     *
     * @param connectors      Connect's status of each of the link's connectors that it knows
     * @param expected        how many connectors the link has (one not known yet is not running)
     * @param sourceConnector the name of the link's MirrorSourceConnector
     * @param problems        what keeps the link from doing its whole job (RUNNING becomes DEGRADED)
     * @return the names of the connectors whose failed parts are to be restarted now: empty unless
     *         something failed and the back-off is over (a restart counts as a failure for it)
     */
    synchronized List<String> observe(List<ConnectorStateInfo> connectors, int expected, String sourceConnector,
                                      List<LinkHealthCheck.Problem> problems) {
        List<String> failed = new ArrayList<>();
        List<String> withFailures = new ArrayList<>();
        boolean allRunning = connectors.size() >= expected;
        for (ConnectorStateInfo info : connectors) {
            boolean anyFailed = false;
            if ("FAILED".equals(info.connector().state())) {
                failed.add("connector " + info.name() + ": " + ConnectErrors.firstLine(info.connector().trace()));
                anyFailed = true;
            } else if (!"RUNNING".equals(info.connector().state())) {
                allRunning = false;
            }
            for (ConnectorStateInfo.TaskState task : info.tasks()) {
                if ("FAILED".equals(task.state())) {
                    failed.add("task " + info.name() + "-" + task.id() + ": " + ConnectErrors.firstLine(task.trace()));
                    anyFailed = true;
                } else if (!"RUNNING".equals(task.state())) {
                    allRunning = false;
                }
            }
            if (anyFailed) {
                withFailures.add(info.name());
            }
        }
        boolean sourceKnown = connectors.stream().anyMatch(c -> c.name().equals(sourceConnector));
        // MirrorSourceConnector has no task until its source has a partition to copy: such a link is
        // running, but idle, and is not announced as replicating yet.
        int sourceTasks = connectors.stream().filter(c -> c.name().equals(sourceConnector))
                .mapToInt(c -> c.tasks().size()).sum();
        long now = time.nanoseconds();
        if (!failed.isEmpty()) {
            String why = String.join("; ", failed);
            lastFailureNanos = now;
            lastFailure = why;
            if (state != State.FAILING || !detail.orElse("").equals(why)) {
                log.error("Link {} is failing: {}", link, why);
            }
            move(State.FAILING, Optional.of(why));
            if (now >= nextRetryNanos) {
                backOff();
                return withFailures;
            }
        } else if (allRunning && sourceKnown && lastFailure != null
                && now - lastFailureNanos < RECOVERED_AFTER.toNanos()) {
            move(State.FAILING, Optional.of("restarted after: " + lastFailure));
        } else if (allRunning && sourceKnown) {
            if (!announcedRunning && sourceTasks > 0) {
                announcedRunning = true;
                log.info("Link {} is replicating ({} source task{}) {} ms after start, {} ms after the JVM's",
                        link, sourceTasks, sourceTasks == 1 ? "" : "s", (now - startNanos) / 1_000_000,
                        ManagementFactory.getRuntimeMXBean().getUptime());
            } else if (state == State.FAILING) {
                log.info("Link {} recovered", link);
            }
            failures = 0;
            lastFailure = null;
            move(problems.isEmpty() ? State.RUNNING : State.DEGRADED,
                    problems.isEmpty() ? Optional.empty() : Optional.of(LinkHealthCheck.summary(problems)));
        } else {
            move(state == State.FAILING ? State.FAILING : State.STARTING, detail);
        }
        return List.of();
    }

    /** Counts a failure and sets when the next try may come: 2 s, doubling, at most 60 s. */
    private Duration backOff() {
        failures++;
        long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 10));
        nextRetryNanos = time.nanoseconds() + delay * 1_000_000;
        return Duration.ofMillis(delay);
    }

    private void move(State next, Optional<String> why) {
        if (next != state) {
            since = now();
        }
        state = next;
        detail = why;
    }
}
