package io.strait.replication;

import io.strait.replication.LinkHealthCheck.Finding;
import io.strait.replication.LinkHealthCheck.Reason;
import io.strait.replication.TopicConfigDiff.Difference;
import io.strait.replication.TopicConfigDiff.Sync;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the health check finds and when it reports it: each kind of difference between a target
 * topic and its source, classed the way MirrorMaker 2's config sync treats it, and reported only
 * once it has outlived MirrorMaker 2's own repair (a refresh or a sync interval, plus two probes).
 */
class LinkHealthCheckTest {

    private static final LinkId A_B = LinkId.parse("a->b");
    private static final LinkId A_C = LinkId.parse("a->c");
    private static MirrorSettings settings;

    @BeforeAll
    static void load() throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters {
                    a { bootstrap-servers = "a:9092" }
                    b { bootstrap-servers = "b:9092" }
                    c { bootstrap-servers = "c:9092" }
                  }
                  flows {
                    dr { type = link, source = a, target = b, refresh-interval = 4s,
                         mirror { "sync.topic.configs.interval.seconds" = 30 } }
                    copy { type = link, source = a, target = c, mirror { "sync.topic.configs.enabled" = false } }
                  }
                }
                """, "inline.conf");
        settings = new MirrorSettings(topology, 2);
    }

    private static LinkHealthCheck check(LinkId link) {
        return new LinkHealthCheck(link, settings, new ReplicationPlanner(settings, Duration.ofSeconds(1)).rule(link),
                null, null);
    }

    private static ConfigEntry entry(String name, String value, ConfigSource source) {
        return new ConfigEntry(name, value, source, false, false, List.of(), ConfigEntry.ConfigType.STRING, null);
    }

    @Test
    void partitionsAndMissingTopicsWaitForMirrorMakersRefreshUnlessItCannotRepairThem() {
        LinkHealthCheck check = check(A_B);
        var selected = new TreeMap<>(Map.of("ledger", "a.ledger", "wide", "a.wide", "gone", "a.gone", "fine", "a.fine"));
        List<Finding> findings = check.topicFindings(selected,
                Map.of("ledger", 3, "wide", 3, "gone", 2, "fine", 2),
                Map.of("a.ledger", 1, "a.wide", 6, "a.fine", 2));
        assertThat(findings).extracting(Finding::subject).containsExactly("a.gone", "a.ledger", "a.wide");
        Finding missing = findings.get(0);
        assertThat(missing.reason()).isEqualTo(Reason.TARGET_MISSING);
        assertThat(missing.grace()).isEqualTo(Duration.ofSeconds(4).plus(LinkHealthCheck.SLACK));
        Finding fewer = findings.get(1);
        assertThat(fewer.reason()).isEqualTo(Reason.TARGET_PARTITIONS);
        assertThat(fewer.message()).startsWith("target topic a.ledger: 1 partition on b, 3 on a; records of partitions 1-2");
        assertThat(fewer.grace()).isEqualTo(Duration.ofSeconds(14));
        // MirrorMaker 2 never removes partitions: reported at once.
        Finding more = findings.get(2);
        assertThat(more.message()).startsWith("target topic a.wide: 6 partitions on b, 3 on a; partitions 3-5 stay empty");
        assertThat(more.grace()).isZero();
    }

    @Test
    void configDifferencesAreClassedAsMirrorMakersConfigSyncTreatsThem() {
        TopicConfigDiff diff = TopicConfigDiff.of(settings, A_B);
        Config source = new Config(List.of(
                entry("cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("retention.ms", "1209600000", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("min.insync.replicas", "2", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("message.timestamp.type", "LogAppendTime", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                entry("segment.bytes", "1073741824", ConfigSource.DEFAULT_CONFIG),
                entry("max.message.bytes", "1048588", ConfigSource.DEFAULT_CONFIG),
                entry("compression.type", "lz4", ConfigSource.STATIC_BROKER_CONFIG),
                entry("flush.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG)));
        Config target = new Config(List.of(
                entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
                entry("retention.ms", "604800000", ConfigSource.DEFAULT_CONFIG),
                entry("min.insync.replicas", "1", ConfigSource.DEFAULT_CONFIG),
                entry("message.timestamp.type", "CreateTime", ConfigSource.DEFAULT_CONFIG),
                // An override on the target where the source has its default: MirrorMaker 2 removes it.
                entry("segment.bytes", "104857600", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                // Only the brokers' defaults differ: left alone.
                entry("max.message.bytes", "2097152", ConfigSource.DEFAULT_CONFIG),
                entry("compression.type", "producer", ConfigSource.DEFAULT_CONFIG),
                entry("flush.ms", "1000", ConfigSource.DYNAMIC_TOPIC_CONFIG)));
        List<Difference> differences = diff.compare(source, target);
        assertThat(differences).extracting(Difference::name, Difference::sync).containsExactly(
                org.assertj.core.groups.Tuple.tuple("cleanup.policy", Sync.SYNCED),
                org.assertj.core.groups.Tuple.tuple("compression.type", Sync.STATIC_ON_SOURCE),
                org.assertj.core.groups.Tuple.tuple("max.message.bytes", Sync.DEFAULTS_DIFFER),
                org.assertj.core.groups.Tuple.tuple("message.timestamp.type", Sync.EXCLUDED),
                org.assertj.core.groups.Tuple.tuple("min.insync.replicas", Sync.EXCLUDED),
                org.assertj.core.groups.Tuple.tuple("retention.ms", Sync.SYNCED),
                org.assertj.core.groups.Tuple.tuple("segment.bytes", Sync.SYNCED));
        assertThat(diff.describe(differences.get(4), "a", "b")).isEqualTo("min.insync.replicas: 2 on a, 1 on b"
                + " (not synced by MirrorMaker 2, by design: config.properties.exclude leaves it out)");
        assertThat(diff.describe(differences.get(0), "a", "b"))
                .isEqualTo("cleanup.policy: compact on a, delete on b (MirrorMaker 2 syncs it every 30 s)");

        // Reported: cleanup.policy and what the sync should have fixed, after the sync interval; not what is
        // excluded by design or left to each cluster's defaults (plan shows those).
        List<Finding> findings = check(A_B).configFindings("a.t", differences);
        assertThat(findings).extracting(Finding::reason, Finding::subject).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Reason.TARGET_CLEANUP_POLICY, "a.t"),
                org.assertj.core.groups.Tuple.tuple(Reason.TARGET_CONFIG, "a.t retention.ms"),
                org.assertj.core.groups.Tuple.tuple(Reason.TARGET_CONFIG, "a.t segment.bytes"));
        assertThat(findings).allSatisfy(f -> assertThat(f.grace()).isEqualTo(Duration.ofSeconds(40)));
        assertThat(findings.get(1).message()).startsWith("target topic a.t: retention.ms is 604800000 on b, 1209600000 on a;"
                + " MirrorMaker 2's config sync (every 30 s) has not applied it");
    }

    @Test
    void withConfigSyncOffOnlyTheCleanupPolicyIsReportedAndAtOnce() {
        TopicConfigDiff diff = TopicConfigDiff.of(settings, A_C);
        List<Difference> differences = diff.compare(
                new Config(List.of(entry("cleanup.policy", "compact", ConfigSource.DYNAMIC_TOPIC_CONFIG),
                        entry("retention.ms", "1", ConfigSource.DYNAMIC_TOPIC_CONFIG))),
                new Config(List.of(entry("cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG),
                        entry("retention.ms", "2", ConfigSource.DEFAULT_CONFIG))));
        assertThat(differences).extracting(Difference::sync).containsOnly(Sync.SYNC_DISABLED);
        List<Finding> findings = check(A_C).configFindings("a.t", differences);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo(Reason.TARGET_CLEANUP_POLICY);
            assertThat(f.grace()).isZero();
            assertThat(f.message()).contains("not synced: sync.topic.configs.enabled = false");
        });
    }

    private static ConnectorStateInfo connector(String name, String state, int tasks) {
        List<ConnectorStateInfo.TaskState> taskStates = new java.util.ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            taskStates.add(new ConnectorStateInfo.TaskState(i, "RUNNING", "w", null, null));
        }
        return new ConnectorStateInfo(name, new ConnectorStateInfo.ConnectorState(state, "w", null, null), taskStates,
                ConnectorType.SOURCE);
    }

    @Test
    void sourceConnectorWithoutTasksWhileSelectedTopicsExist() {
        LinkHealthCheck check = check(A_B);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        var selected = new TreeMap<>(Map.of("orders", "a.orders"));
        assertThat(check.connectorFindings(List.of(connector("a->b", "RUNNING", 0)), selected, now)).hasValueSatisfying(f -> {
            assertThat(f.reason()).isEqualTo(Reason.SOURCE_TASKS);
            assertThat(f.message()).startsWith("connector a->b has no task although 1 selected topic exists on a (orders)");
            assertThat(f.grace()).isEqualTo(Duration.ofSeconds(14));
        });
        // Nothing selected (an idle link), tasks running, or the connector not running (reported otherwise): nothing.
        assertThat(check.connectorFindings(List.of(connector("a->b", "RUNNING", 0)), new TreeMap<>(), now)).isEmpty();
        assertThat(check.connectorFindings(List.of(connector("a->b", "RUNNING", 2)), selected, now)).isEmpty();
        assertThat(check.connectorFindings(List.of(connector("a->b", "UNASSIGNED", 0)), selected, now)).isEmpty();
    }

    @Test
    void aFindingIsReportedOnlyAfterItsGraceAndClearsWhenGone() {
        LinkHealthCheck check = check(A_B);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Finding fewer = new Finding(Reason.TARGET_PARTITIONS, "a.ledger", "fewer", Duration.ofSeconds(14));
        Finding more = new Finding(Reason.TARGET_PARTITIONS, "a.wide", "more", Duration.ZERO);
        check.publish(List.of(fewer, more), t0);
        assertThat(check.problems()).extracting(LinkHealthCheck.Problem::subject).containsExactly("a.wide");
        check.publish(List.of(fewer, more), t0.plusSeconds(13));
        assertThat(check.problems()).extracting(LinkHealthCheck.Problem::subject).containsExactly("a.wide");
        check.publish(List.of(fewer, more), t0.plusSeconds(14));
        assertThat(check.problems()).extracting(LinkHealthCheck.Problem::subject).containsExactly("a.ledger", "a.wide");
        assertThat(check.problems().get(0).since()).isEqualTo(t0);
        assertThat(LinkHealthCheck.summary(check.problems())).isEqualTo("fewer; more");
        // Repaired: gone at once; if it comes back, its grace starts again.
        check.publish(List.of(more), t0.plusSeconds(20));
        assertThat(check.problems()).extracting(LinkHealthCheck.Problem::subject).containsExactly("a.wide");
        check.publish(List.of(fewer, more), t0.plusSeconds(25));
        assertThat(check.problems()).extracting(LinkHealthCheck.Problem::subject).containsExactly("a.wide");
        assertThat(Reason.CHECKPOINT_TASKS.label()).isEqualTo("checkpoint_tasks");
    }
}
