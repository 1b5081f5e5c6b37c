package io.strait.replication;

import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strait's identity policy for link a->c, where b->a and d->b are links: names as
 * IdentityReplicationPolicy gives them for MirrorMaker 2's real heartbeats, on the source and (as
 * this link names them) on the target, and unchanged for every other name.
 */
class StraitReplicationPolicyTest {

    private static final Map<String, String> CONFIG = Map.of(
            "replication.policy.separator", ".",
            IdentityReplicationPolicy.SOURCE_CLUSTER_ALIAS_CONFIG, "a",
            "strait.heartbeats.upstream.a", "b",
            "strait.heartbeats.upstream.b", "d");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
        # topic               | heartbeats? | name on c          | topicSource | upstreamTopic
        heartbeats            | true        | a.heartbeats       | null        | null
        b.heartbeats          | true        | a.b.heartbeats     | b           | heartbeats
        b.d.heartbeats        | true        | a.b.d.heartbeats   | b           | d.heartbeats
        # names on the target c, as this link wrote them
        a.heartbeats          | false       | a.heartbeats       | a           | heartbeats
        a.b.heartbeats        | false       | a.b.heartbeats     | a           | b.heartbeats
        # not MirrorMaker 2's: d->a is no link, payments no cluster, b twice impossible
        d.heartbeats          | false       | d.heartbeats       | a           | d.heartbeats
        d.b.heartbeats        | false       | d.b.heartbeats     | a           | d.b.heartbeats
        payments.heartbeats   | false       | payments.heartbeats | a          | payments.heartbeats
        b.d.b.heartbeats      | false       | b.d.b.heartbeats   | a           | b.d.b.heartbeats
        myheartbeats          | false       | myheartbeats       | a           | myheartbeats
        orders                | false       | orders             | a           | orders
        """)
    void identityNamesOnlyRealHeartbeatsLikeHeartbeats(String topic, boolean heartbeats, String remote, String source,
                                                      String upstream) {
        StraitIdentityReplicationPolicy policy = new StraitIdentityReplicationPolicy();
        policy.configure(CONFIG);
        assertThat(policy.isHeartbeatsTopic(topic)).as("isHeartbeatsTopic").isEqualTo(heartbeats);
        assertThat(policy.formatRemoteTopic("a", topic)).as("formatRemoteTopic").isEqualTo(remote);
        assertThat(policy.topicSource(topic)).as("topicSource").isEqualTo(source);
        assertThat(policy.upstreamTopic(topic)).as("upstreamTopic").isEqualTo(upstream);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        heartbeats            | true
        b.heartbeats          | true
        b.d.heartbeats        | true
        d.b.heartbeats        | false
        d.heartbeats          | false
        payments.heartbeats   | false
        a.heartbeats          | false
        b.b.heartbeats        | false
        """)
    void prefixPolicyKnowsTheSameHeartbeats(String topic, boolean heartbeats) {
        StraitDefaultReplicationPolicy policy = new StraitDefaultReplicationPolicy();
        policy.configure(CONFIG);
        assertThat(policy.isHeartbeatsTopic(topic)).isEqualTo(heartbeats);
        // Everything else is DefaultReplicationPolicy's.
        assertThat(policy.formatRemoteTopic("a", topic)).isEqualTo("a." + topic);
    }
}
