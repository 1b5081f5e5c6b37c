package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceConnectorDecisions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every name MirrorMaker 2 treats apart, as a source topic of link a->c, selected (topics = .*) or
 * not (topics = [orders]), under prefix and identity naming: what the link's MirrorSourceConnector
 * does with it, and that {@code plan}'s rule (ReplicationPlanner.TopicRule) says the same. Only
 * MirrorMaker 2's own heartbeats bypass the selection: {@code heartbeats}, and {@code b.heartbeats},
 * the copy link b->a makes of b's. The topology: b->a (topics = [orders]) and a->c.
 */
class SpecialTopicNamesTest {

    private static final LinkId A_C = LinkId.parse("a->c");
    private static final Map<String, MirrorSettings> SETTINGS = new HashMap<>();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # source topic on a         | MM2's heartbeats | prefix, selected        | prefix, not selected | identity, selected      | identity, not selected
        heartbeats                  | true  | a.heartbeats            | a.heartbeats         | a.heartbeats            | a.heartbeats
        b.heartbeats                | true  | a.b.heartbeats          | a.b.heartbeats       | a.b.heartbeats          | a.b.heartbeats
        # user topics that MirrorMaker 2 alone takes for heartbeats (any last segment "heartbeats")
        payments.heartbeats         | false | a.payments.heartbeats   | SKIP not included    | payments.heartbeats     | SKIP not included
        a.heartbeats                | false | a.a.heartbeats          | SKIP not included    | a.heartbeats            | SKIP not included
        x.b.heartbeats              | false | a.x.b.heartbeats        | SKIP not included    | x.b.heartbeats          | SKIP not included
        # named after the target: prefix naming reads it as a copy from c (a cycle); identity cannot tell
        c.heartbeats                | false | SKIP cycle              | SKIP cycle           | c.heartbeats            | SKIP not included
        c.orders                    | false | SKIP cycle              | SKIP cycle           | c.orders                | SKIP not included
        # IdentityReplicationPolicy alone renamed any name ending in "heartbeats"
        myheartbeats                | false | a.myheartbeats          | SKIP not included    | myheartbeats            | SKIP not included
        b.orders                    | false | a.b.orders              | SKIP not included    | b.orders                | SKIP not included
        orders                      | false | a.orders                | a.orders             | orders                  | orders
        # checkpoints, offset syncs, Connect's own topics of a link: never replicated
        b.checkpoints.internal      | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        payments.checkpoints.internal | false | SKIP internal         | SKIP internal        | SKIP internal           | SKIP internal
        mm2-offset-syncs.c.internal | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        mm2-configs.b.internal      | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        mm2-offsets.b.internal      | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        mm2-status.b.internal       | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        mm2-metrics.internal        | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        # Strait's failover topics of a link (FailoverTopics)
        mm2-strait-offset-map.b.internal  | false | SKIP internal     | SKIP internal        | SKIP internal           | SKIP internal
        mm2-strait-checkpoints.b.internal | false | SKIP internal     | SKIP internal        | SKIP internal           | SKIP internal
        # Kafka's internal names and MirrorMaker 2's default exclusions (DefaultTopicFilter: mm2.*.internal, .*.replica, __.*)
        __consumer_offsets          | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        __heartbeats                | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        .heartbeats                 | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        audit.replica               | false | SKIP internal           | SKIP internal        | SKIP internal           | SKIP internal
        # user topics that only look internal: Kafka 4.3's MirrorMaker 2 copies them when selected
        audit.internal              | false | a.audit.internal        | SKIP not included    | audit.internal          | SKIP not included
        audit-internal              | false | a.audit-internal        | SKIP not included    | audit-internal          | SKIP not included
        heartbeats.internal         | false | a.heartbeats.internal   | SKIP not included    | heartbeats.internal     | SKIP not included
        """)
    void withTheDefaultSeparator(String topic, boolean heartbeats, String prefixSelected, String prefixNotSelected,
                                 String identitySelected, String identityNotSelected) {
        check(topic, heartbeats, "prefix", ".", ".*", prefixSelected);
        check(topic, heartbeats, "prefix", ".", "orders", prefixNotSelected);
        check(topic, heartbeats, "identity", ".", ".*", identitySelected);
        check(topic, heartbeats, "identity", ".", "orders", identityNotSelected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        # source topic on a          | MM2's heartbeats | prefix "_", selected  | prefix "_", not selected
        heartbeats                   | true  | a_heartbeats           | a_heartbeats
        b_heartbeats                 | true  | a_b_heartbeats         | a_b_heartbeats
        # the copy as another separator would name it, and user topics
        b.heartbeats                 | false | a_b.heartbeats         | SKIP not included
        payments_heartbeats          | false | a_payments_heartbeats  | SKIP not included
        c_heartbeats                 | false | SKIP cycle             | SKIP cycle
        # MirrorMaker 2's own topics follow the separator; its default exclusions (mm2.*.internal) still apply
        b_checkpoints_internal       | false | SKIP internal          | SKIP internal
        mm2-offset-syncs_c_internal  | false | SKIP internal          | SKIP internal
        mm2-offset-syncs.c.internal  | false | SKIP internal          | SKIP internal
        mm2-configs.b.internal       | false | SKIP internal          | SKIP internal
        mm2-strait-offset-map.b.internal  | false | SKIP internal     | SKIP internal
        __consumer_offsets           | false | SKIP internal          | SKIP internal
        # MirrorMaker 2's names under the default separator are user topics here
        b.checkpoints.internal       | false | a_b.checkpoints.internal | SKIP not included
        audit-internal               | false | a_audit-internal       | SKIP not included
        """)
    void withAnotherSeparator(String topic, boolean heartbeats, String selected, String notSelected) {
        check(topic, heartbeats, "prefix", "_", ".*", selected);
        check(topic, heartbeats, "prefix", "_", "orders", notSelected);
    }

    /** {@code expected}: the name on c, or {@code SKIP <start of plan's reason>}. */
    private static void check(String topic, boolean heartbeats, String naming, String separator, String topics,
                              String expected) {
        MirrorSettings settings = settings(naming, separator, topics);
        ReplicationPlanner.TopicRule rule = new ReplicationPlanner(settings, Duration.ofSeconds(1)).rule(A_C);
        Optional<String> connector = new SourceConnectorDecisions(
                settings.connectorConfig(A_C, MirrorSourceConnector.class)).target(topic);
        String where = topic + " with naming " + naming + ", separator " + separator + ", topics = [" + topics + "]";
        assertThat(rule.isHeartbeats(topic)).as("heartbeats? " + where).isEqualTo(heartbeats);
        if (expected.startsWith("SKIP ")) {
            assertThat(connector).as("MirrorSourceConnector, " + where).isEmpty();
            assertThat(rule.target(topic)).as("plan's target, " + where).isEmpty();
            assertThat(rule.skipReason(topic)).as("plan's reason, " + where).get().asString()
                    .startsWith(expected.substring("SKIP ".length()));
        } else {
            assertThat(connector).as("MirrorSourceConnector, " + where).contains(expected);
            assertThat(rule.skipReason(topic)).as("plan's reason, " + where).isEmpty();
            assertThat(rule.target(topic)).as("plan's target, " + where).contains(expected);
        }
    }

    private static synchronized MirrorSettings settings(String naming, String separator, String topics) {
        return SETTINGS.computeIfAbsent(naming + separator + topics, key -> {
            try {
                return new MirrorSettings(new TopologyLoader(Map.of()).parse("""
                        strait {
                          clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" }, c { bootstrap-servers = "c:9092" } }
                          flow-defaults { separator = "%s" }
                          flows {
                            in { type = link, source = b, target = a, topics = [orders] }
                            t  { type = link, source = a, target = c, naming = %s, topics = ["%s"] }
                          }
                        }
                        """.formatted(separator, naming, topics), key + ".conf"), 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
