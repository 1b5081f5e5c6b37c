package io.strait.replication;

import io.strait.replication.LinkReplicator.State;
import io.strait.topology.LinkId;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The link supervisor's rules on Kafka's {@link MockTime}: back-off, the 30-second anti-flap rule,
 * probes and the states they lead to. No broker, no thread, no sleep.
 */
class LinkSupervisorTest {

    private static final String SOURCE = "a->b.MirrorSourceConnector";
    private static final String CHECKPOINT = "a->b.MirrorCheckpointConnector";
    private static final String HEARTBEAT = "a->b.MirrorHeartbeatConnector";

    private final MockTime time = new MockTime(0, 1_700_000_000_000L, 0);
    private final LinkSupervisor supervisor = new LinkSupervisor(LinkId.parse("a->b"), time);

    @Test
    void failedStartsBackOffTwiceAsLongEachTimeUpToOneMinute() {
        supervisor.start();
        assertThat(supervisor.state()).isEqualTo(State.STARTING);
        assertThat(supervisor.retryDue()).as("the first start does not wait").isTrue();
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Duration delay = supervisor.fail("cannot reach cluster b");
            delays.add(delay.toSeconds());
            time.sleep(delay.toMillis() - 1);
            assertThat(supervisor.retryDue()).as("1 ms before the end of back-off %s", delay).isFalse();
            time.sleep(1);
            assertThat(supervisor.retryDue()).as("at the end of back-off %s", delay).isTrue();
        }
        assertThat(delays).containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(supervisor.state()).isEqualTo(State.FAILING);
        assertThat(supervisor.detail()).contains("cannot reach cluster b");
    }

    @Test
    void aLinkThatRunsCleanlyStartsItsBackOffAgainFromTwoSeconds() {
        supervisor.start();
        supervisor.fail("x");
        supervisor.fail("x");
        assertThat(supervisor.fail("x")).isEqualTo(Duration.ofSeconds(8));
        time.sleep(8_000);
        assertThat(supervisor.observe(running(1), 3, SOURCE, List.of())).isEmpty();
        assertThat(supervisor.state()).isEqualTo(State.RUNNING);
        assertThat(supervisor.detail()).isEmpty();
        assertThat(supervisor.fail("herder stopped")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aFailedTaskIsRestartedAtOnceThenOnlyWhenItsBackOffIsOver() {
        supervisor.start();
        assertThat(supervisor.observe(failedTask(), 3, SOURCE, List.of())).containsExactly(SOURCE);
        assertThat(supervisor.state()).isEqualTo(State.FAILING);
        assertThat(supervisor.detail()).contains("task " + SOURCE + "-0: org.apache.kafka.connect.errors.ConnectException: t"
                + " (caused by org.apache.kafka.common.errors.TimeoutException: t)");

        time.sleep(1_999);
        assertThat(supervisor.observe(failedTask(), 3, SOURCE, List.of())).as("within 2 s").isEmpty();
        time.sleep(1);
        assertThat(supervisor.observe(failedTask(), 3, SOURCE, List.of())).as("after 2 s").containsExactly(SOURCE);
        time.sleep(3_999);
        assertThat(supervisor.observe(failedTask(), 3, SOURCE, List.of())).as("within 4 s").isEmpty();
        time.sleep(1);
        assertThat(supervisor.observe(failedTask(), 3, SOURCE, List.of())).as("after 4 s").containsExactly(SOURCE);
        // A restart counts as a failure for the back-off of a herder start too.
        assertThat(supervisor.retryDue()).isFalse();
    }

    @Test
    void aRestartedLinkStaysFailingUntilItRanThirtySecondsWithoutFailure() {
        supervisor.start();
        supervisor.observe(failedTask(), 3, SOURCE, List.of());
        time.sleep(1_000);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).isEqualTo(State.FAILING);
        assertThat(supervisor.detail().orElseThrow()).startsWith("restarted after: task " + SOURCE + "-0");
        time.sleep(28_999);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("29.999 s after the failure").isEqualTo(State.FAILING);
        time.sleep(1);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("30 s after the failure").isEqualTo(State.RUNNING);
        assertThat(supervisor.detail()).isEmpty();
    }

    @Test
    void aFailureAgainStartsTheThirtySecondsAgain() {
        supervisor.start();
        supervisor.observe(failedTask(), 3, SOURCE, List.of());
        time.sleep(20_000);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        time.sleep(5_000);
        supervisor.observe(failedTask(), 3, SOURCE, List.of());
        time.sleep(25_000);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("50 s after the first failure, 25 s after the second")
                .isEqualTo(State.FAILING);
        time.sleep(5_000);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).isEqualTo(State.RUNNING);
    }

    @Test
    void aLinkWhoseConnectorsAreNotAllRunningIsStartingOrStaysFailing() {
        supervisor.start();
        supervisor.observe(running(1).subList(0, 2), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("a connector not created yet").isEqualTo(State.STARTING);
        supervisor.observe(List.of(connector(SOURCE, "UNASSIGNED"), connector(CHECKPOINT, "RUNNING"),
                connector(HEARTBEAT, "RUNNING")), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("a connector unassigned").isEqualTo(State.STARTING);

        supervisor.fail("herder stopped");
        supervisor.observe(running(1).subList(0, 2), 3, SOURCE, List.of());
        assertThat(supervisor.state()).isEqualTo(State.FAILING);
        assertThat(supervisor.detail()).contains("herder stopped");
    }

    @Test
    void aRunningLinkWithProblemsIsDegraded() {
        supervisor.start();
        LinkHealthCheck.Problem problem = new LinkHealthCheck.Problem(LinkHealthCheck.Reason.TARGET_PARTITIONS, "t",
                "target topic t has 1 partition, its source 3", Instant.EPOCH);
        supervisor.observe(running(1), 3, SOURCE, List.of(problem));
        assertThat(supervisor.state()).isEqualTo(State.DEGRADED);
        assertThat(supervisor.detail()).contains("target topic t has 1 partition, its source 3");
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).isEqualTo(State.RUNNING);
    }

    @Test
    void probesComeEveryFiveSecondsAndAClusterOutOfReachKeepsTheLinkFailing() {
        supervisor.start();
        assertThat(supervisor.probeDue()).isTrue();
        assertThat(supervisor.probeDue()).isFalse();
        time.sleep(4_999);
        assertThat(supervisor.probeDue()).isFalse();
        time.sleep(1);
        assertThat(supervisor.probeDue()).isTrue();

        assertThat(supervisor.outOfReach()).isFalse();
        supervisor.probed(Optional.of("cannot reach cluster b at localhost:1: no answer within 5 s"));
        assertThat(supervisor.outOfReach()).isTrue();
        assertThat(supervisor.state()).isEqualTo(State.FAILING);
        assertThat(supervisor.detail()).contains("cannot reach cluster b at localhost:1: no answer within 5 s");
        assertThat(supervisor.retryDue()).as("out of reach does not back off: Connect retries").isTrue();
        supervisor.probed(Optional.empty());
        assertThat(supervisor.outOfReach()).isFalse();
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.state()).isEqualTo(State.RUNNING);
    }

    @Test
    void sinceChangesWithTheStateOnly() {
        Instant created = supervisor.since();
        time.sleep(1_000);
        supervisor.start();
        Instant started = supervisor.since();
        assertThat(started).isEqualTo(created.plusSeconds(1));
        time.sleep(1_000);
        supervisor.observe(running(0), 3, SOURCE, List.of());
        assertThat(supervisor.state()).as("running, idle: no source task yet").isEqualTo(State.RUNNING);
        Instant running = supervisor.since();
        assertThat(running).isEqualTo(started.plusSeconds(1));
        time.sleep(1_000);
        supervisor.observe(running(1), 3, SOURCE, List.of());
        assertThat(supervisor.since()).isEqualTo(running);
        supervisor.stop();
        assertThat(supervisor.state()).isEqualTo(State.STOPPED);
        assertThat(supervisor.since()).isEqualTo(running.plusSeconds(1));
    }

    /** The link's three connectors running, the source with {@code tasks} running tasks. */
    private static List<ConnectorStateInfo> running(int tasks) {
        List<ConnectorStateInfo.TaskState> sourceTasks = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            sourceTasks.add(new ConnectorStateInfo.TaskState(i, "RUNNING", "w", null, null));
        }
        return List.of(new ConnectorStateInfo(SOURCE, state("RUNNING"), sourceTasks, ConnectorType.SOURCE),
                connector(CHECKPOINT, "RUNNING"), connector(HEARTBEAT, "RUNNING"));
    }

    private static List<ConnectorStateInfo> failedTask() {
        String trace = "org.apache.kafka.connect.errors.ConnectException: t\n\tat X\n"
                + "Caused by: org.apache.kafka.common.errors.TimeoutException: t\n";
        return List.of(new ConnectorStateInfo(SOURCE, state("RUNNING"),
                        List.of(new ConnectorStateInfo.TaskState(0, "FAILED", "w", trace, null)), ConnectorType.SOURCE),
                connector(CHECKPOINT, "RUNNING"), connector(HEARTBEAT, "RUNNING"));
    }

    private static ConnectorStateInfo connector(String name, String state) {
        return new ConnectorStateInfo(name, state(state), List.of(), ConnectorType.SOURCE);
    }

    private static ConnectorStateInfo.ConnectorState state(String state) {
        return new ConnectorStateInfo.ConnectorState(state, "w", null, null);
    }
}
