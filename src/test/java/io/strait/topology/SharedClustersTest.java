package io.strait.topology;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Which uses of one Kafka cluster under two aliases are refused, and which are warned about. */
class SharedClustersTest {

    /** a and a2 are one cluster, so are b and b2; c is on its own. */
    private static final Map<String, String> IDS = Map.of("a", "ID-A", "a2", "ID-A", "b", "ID-B", "b2", "ID-B",
            "c", "ID-C");

    private static List<SharedClusters.Finding> findings(String flows) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters {
                    a { bootstrap-servers = "a:9092" }, a2 { bootstrap-servers = "a2:9092" }
                    b { bootstrap-servers = "b:9092" }, b2 { bootstrap-servers = "b2:9092" }
                    c { bootstrap-servers = "c:9092" }
                  }
                  flows { %s }
                }
                """.formatted(flows), "inline.conf");
        SortedMap<LinkId, LinkSettings> links = topology.links();
        return SharedClusters.findings(links, IDS, aliases -> "clusters " + String.join(" and ", aliases)
                + " are one Kafka cluster (cluster ID " + IDS.get(aliases.first()) + ")");
    }

    private static String refused(List<SharedClusters.Finding> findings) {
        return findings.stream().filter(SharedClusters.Finding::refuses).map(f -> f.links().toString()).toList().toString();
    }

    private static String warned(List<SharedClusters.Finding> findings) {
        return findings.stream().filter(f -> !f.refuses()).map(f -> f.links().toString()).toList().toString();
    }

    @Test
    void aLinkFromAClusterToItselfIsRefused() throws Exception {
        var findings = findings("self { type = link, source = a, target = a2 }, out { type = link, source = a, target = c }");
        assertThat(refused(findings)).isEqualTo("[[a->a2]]");
        assertThat(warned(findings)).isEqualTo("[]");
        assertThat(findings.get(0).message()).isEqualTo("clusters a and a2 are one Kafka cluster (cluster ID ID-A):"
                + " link a->a2 would copy that cluster into itself without end (orders into a.orders, then a.a.orders,"
                + " and so on); remove the link, or point a2 at another cluster");
    }

    @Test
    void withIdentityNamingTheSameRecordsGoRoundInTheSameTopic() throws Exception {
        var findings = findings("self { type = link, source = a, target = a2, naming = identity }");
        assertThat(refused(findings)).isEqualTo("[[a->a2]]");
        assertThat(findings.get(0).message()).contains("every record of every topic back into its own topic");
    }

    @Test
    void fanInFromTwoAliasesOfOneClusterIsRefused() throws Exception {
        var findings = findings("in { type = fan-in, sources = [a, a2], target = c }");
        assertThat(refused(findings)).isEqualTo("[[a->c, a2->c]]");
        assertThat(findings.get(0).message()).isEqualTo("clusters a and a2 are one Kafka cluster (cluster ID ID-A):"
                + " links a->c and a2->c copy between the same two Kafka clusters and every record would be copied"
                + " twice, and the links would share the offset-syncs topic mm2-offset-syncs.c.internal, so"
                + " consumer-group offsets would be translated wrongly; keep one of them");
    }

    @Test
    void fanOutToTwoAliasesOfOneClusterIsRefused() throws Exception {
        var findings = findings("out { type = fan-out, source = c, targets = [b, b2] }");
        assertThat(refused(findings)).isEqualTo("[[c->b, c->b2]]");
        assertThat(findings.get(0).message()).contains("into the same c.<topic>", "share the Connect group c-mm2");
    }

    @Test
    void bidirectionalPlusASecondAliasRefusesTheDuplicateLinksOnly() throws Exception {
        var findings = findings("""
                active { type = bidirectional, clusters = [a, b] }
                extra  { type = link, source = a2, target = b }""");
        assertThat(refused(findings)).isEqualTo("[[a->b, a2->b]]");
        // b->a runs; only a is used among a's aliases by running links: nothing more to say.
        assertThat(warned(findings)).isEqualTo("[]");
    }

    @Test
    void bothEndsUnderOtherAliasesAreStillTheSameTwoClusters() throws Exception {
        var findings = findings("one { type = link, source = a, target = b }, two { type = link, source = a2, target = b2 }");
        assertThat(refused(findings)).isEqualTo("[[a->b, a2->b2]]");
        assertThat(findings.get(0).message()).startsWith("clusters a and a2 are one Kafka cluster (cluster ID ID-A);"
                + " clusters b and b2 are one Kafka cluster (cluster ID ID-B): links a->b and a2->b2");
    }

    @Test
    void anIdentityLinkOnACycleThroughTwoAliasesIsRefused() throws Exception {
        var findings = findings("""
                there { type = link, source = a, target = b, naming = identity }
                back  { type = link, source = b, target = a2 }""");
        assertThat(refused(findings)).isEqualTo("[[a->b]]");
        assertThat(findings.get(0).message()).isEqualTo("clusters a and a2 are one Kafka cluster (cluster ID ID-A):"
                + " link a->b keeps topic names (naming = identity) and lies on the cycle a->b->a2 (= a), so records"
                + " would go round it without end; write naming = prefix");
    }

    @Test
    void aPipeBackToTheSameClusterIsAWarning() throws Exception {
        var findings = findings("chain { type = pipe, clusters = [a, b, a2] }");
        assertThat(refused(findings)).isEqualTo("[]");
        assertThat(warned(findings)).isEqualTo("[[a->b, b->a2]]");
        assertThat(findings.get(0).message()).isEqualTo("clusters a and a2 are one Kafka cluster (cluster ID ID-A),"
                + " used under both names by links a->b and b->a2: MirrorMaker 2 tells clusters apart by alias, so"
                + " topics can come back to that cluster under a longer name; give each Kafka cluster one alias");
    }

    @Test
    void distinctClustersAndUnknownOnesSayNothing() throws Exception {
        assertThat(findings("all { type = bidirectional, clusters = [a, b, c] }")).isEmpty();
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { x { bootstrap-servers = "x:9092" }, y { bootstrap-servers = "y:9092" } }
                  flows { f { type = link, source = x, target = y } }
                }
                """, "inline.conf");
        assertThat(SharedClusters.findings(topology.links(), Map.of(), aliases -> "same")).isEmpty();
    }
}
