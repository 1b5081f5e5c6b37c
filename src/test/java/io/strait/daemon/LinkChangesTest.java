package io.strait.daemon;

import io.strait.daemon.LinkChanges.Fingerprint;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The reload diff: which links a new topology starts, stops, restarts and leaves alone. No broker. */
class LinkChangesTest {

    private static final LinkId A_B = LinkId.parse("a->b");
    private static final LinkId B_A = LinkId.parse("b->a");
    private static final LinkId A_C = LinkId.parse("a->c");
    private static final LinkId C_B = LinkId.parse("c->b");

    private static final String BASE = """
            strait {
              clusters {
                a { bootstrap-servers = "a:9092" }
                b { bootstrap-servers = "b:9092" }
                c { bootstrap-servers = "c:9092" }
              }
              flows {
                dr { type = link, source = a, target = b, topics = ["orders.*"] }
                back { type = link, source = b, target = a }
                copy { type = link, source = a, target = c }
              }
            }
            """;

    @Test
    void eachLinkIsAddedRemovedChangedOrUnchangedInLinkOrder() {
        Fingerprint one = fingerprint("x", "1");
        Map<LinkId, Fingerprint> running = Map.of(A_B, one, B_A, one, A_C, one);
        Map<LinkId, Fingerprint> next = Map.of(C_B, one, A_C, fingerprint("x", "2"), A_B, one,
                LinkId.parse("b->c"), one);

        LinkChanges changes = LinkChanges.between(running, next);

        assertThat(changes.added()).containsExactly(LinkId.parse("b->c"), C_B);
        assertThat(changes.removed()).containsExactly(B_A);
        assertThat(changes.changed()).containsExactly(A_C);
        assertThat(changes.unchanged()).containsExactly(A_B);
    }

    @Test
    void aConnectorSettingAloneIsAChange() {
        Fingerprint worker = fingerprint("group.id", "g");
        Fingerprint other = new Fingerprint(worker.worker(),
                Map.of("a->b.MirrorSourceConnector", new TreeMap<>(Map.of("tasks.max", "2"))));
        assertThat(LinkChanges.between(Map.of(A_B, worker), Map.of(A_B, other)).changed()).containsExactly(A_B);
        assertThat(LinkChanges.between(Map.of(A_B, other), Map.of(A_B, other)).unchanged()).containsExactly(A_B);
    }

    @Test
    void noLinksBeforeOrAfter() {
        assertThat(LinkChanges.between(Map.of(), Map.of())).isEqualTo(
                new LinkChanges(List.of(), List.of(), List.of(), List.of()));
        assertThat(LinkChanges.between(Map.of(A_B, fingerprint("x", "1")), Map.of()).removed()).containsExactly(A_B);
        assertThat(LinkChanges.between(Map.of(), Map.of(A_B, fingerprint("x", "1"))).added()).containsExactly(A_B);
    }

    @Test
    void theSameFileChangesNothing() {
        assertThat(reload(BASE, BASE)).isEqualTo(new LinkChanges(List.of(), List.of(), List.of(), List.of(A_B, A_C, B_A)));
    }

    @Test
    void aFlowSettingRestartsItsLinkOnly() {
        LinkChanges changes = reload(BASE, BASE.replace("topics = [\"orders.*\"]", "topics = [\"orders.*\", \"audit\"]"));
        assertThat(changes.changed()).containsExactly(A_B);
        assertThat(changes.unchanged()).containsExactly(A_C, B_A);
    }

    @Test
    void aClusterAddressRestartsEveryLinkFromOrToIt() {
        LinkChanges changes = reload(BASE, BASE.replace("c:9092", "c2:9092"));
        assertThat(changes.changed()).containsExactly(A_C);
        assertThat(changes.unchanged()).containsExactly(A_B, B_A);

        changes = reload(BASE, BASE.replace("a:9092", "a2:9092"));
        assertThat(changes.changed()).containsExactly(A_B, A_C, B_A);
    }

    @Test
    void aClusterClientSettingRestartsEveryLinkFromOrToIt() {
        LinkChanges changes = reload(BASE, BASE.replace("b { bootstrap-servers = \"b:9092\" }",
                "b { bootstrap-servers = \"b:9092\", kafka-clients { \"request.timeout.ms\" = 40000 } }"));
        assertThat(changes.changed()).containsExactly(A_B, B_A);
        assertThat(changes.unchanged()).containsExactly(A_C);
    }

    @Test
    void anEngineSettingRestartsEveryLink() {
        LinkChanges changes = reload(BASE, BASE.replace("  flows {", "  engine.worker { \"offset.flush.timeout.ms\" = 7000 }\n  flows {"));
        assertThat(changes.changed()).containsExactly(A_B, A_C, B_A);
    }

    @Test
    void flowsAddedAndRemovedStartAndStopTheirLinksOnly() {
        String before = """
                strait {
                  clusters { a.bootstrap-servers = "a:9092", b.bootstrap-servers = "b:9092", c.bootstrap-servers = "c:9092" }
                  flows {
                    dr    { type = link, source = a, target = b, topics = [orders] }
                    extra { type = link, source = a, target = c, topics = [orders] }
                  }
                }
                """;
        LinkChanges changes = reload(before, before.replace("extra { type = link, source = a, target = c",
                "feed { type = link, source = c, target = b"));
        assertThat(changes.added()).containsExactly(C_B);
        assertThat(changes.removed()).containsExactly(A_C);
        assertThat(changes.changed()).isEmpty();
        assertThat(changes.unchanged()).containsExactly(A_B);
    }

    @Test
    void aLinkThatReachesTheSourceOfOthersRestartsThem() {
        // Which heartbeats topics arrive on a link's source is part of its connectors' settings
        // (TopologyHeartbeats): a link into a, or into a cluster with a path to a, changes them.
        LinkChanges changes = reload(BASE, BASE.replace("    back { type = link, source = b, target = a }\n", ""));
        assertThat(changes.removed()).containsExactly(B_A);
        assertThat(changes.changed()).containsExactly(A_B, A_C);

        changes = reload(BASE, BASE.replace("    copy {", "    in { type = link, source = c, target = b }\n    copy {"));
        assertThat(changes.added()).containsExactly(C_B);
        assertThat(changes.changed()).as("c->b reaches b, and a through b->a").containsExactly(A_B, A_C, B_A);
    }

    @Test
    void aClusterNoLinkUsesChangesNoLink() {
        LinkChanges changes = reload(BASE, BASE.replace("    c { bootstrap-servers = \"c:9092\" }\n",
                "    c { bootstrap-servers = \"c:9092\" }\n    d { bootstrap-servers = \"d:9092\" }\n"));
        assertThat(changes.unchanged()).containsExactly(A_B, A_C, B_A);
    }

    private static Fingerprint fingerprint(String key, String value) {
        return new Fingerprint(new TreeMap<>(Map.of(key, value)), Map.of());
    }

    private static LinkChanges reload(String before, String after) {
        MirrorSettings running = settings(before);
        Map<LinkId, Fingerprint> fingerprints = new TreeMap<>();
        running.topology().links().keySet().forEach(id -> fingerprints.put(id, Fingerprint.of(running, id)));
        return LinkChanges.between(fingerprints, settings(after));
    }

    private static MirrorSettings settings(String hocon) {
        try {
            return new MirrorSettings(new TopologyLoader(Map.of()).parse(hocon, "inline.conf"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
