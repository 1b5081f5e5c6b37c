package io.strait.cli;

import io.strait.testing.TestClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code strait plan} against real clusters: the names topics will get, and every skip with its
 * reason, predicted with the same filter and policy classes the connectors use.
 */
class PlanIT {

    static TestClusters clusters;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClusters() throws Exception {
        clusters = TestClusters.start("a", "b", "c");
        // What a pipe a->b->c has done so far: a.orders arrived on b. Plus topics that must be skipped.
        clusters.createTopic("a", "orders", 3, Map.of());
        clusters.createTopic("a", "b.orders", 2, Map.of());
        clusters.createTopic("a", "mm2-offset-syncs.b.internal", 1, Map.of());
        clusters.createTopic("a", "__strait_private", 1, Map.of());
        clusters.createTopic("a", "tmp.scratch", 1, Map.of());
        clusters.createTopic("b", "orders", 4, Map.of());
        clusters.createTopic("b", "a.orders", 3, Map.of());
        clusters.createTopic("c", "b.orders", 4, Map.of());
    }

    @AfterAll
    static void stopClusters() {
        clusters.close();
    }

    @Test
    void pipePlanNamesTopicsAlongTheChain() throws Exception {
        CommandResult result = plan("flows { chain { type = pipe, clusters = [a, b, c], topics = [orders] } }");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String b2c = section(result.out(), "Link b->c");
        assertThat(b2c).as(result.toString())
                .containsPattern("a\\.orders +3 partitions -> b\\.a\\.orders \\(will be created\\)")
                .containsPattern("orders +4 partitions -> b\\.orders \\(exists, 4 partitions\\)");
        String a2b = section(result.out(), "Link a->b");
        assertThat(a2b).as(result.toString())
                .containsPattern("orders +3 partitions -> a\\.orders \\(exists, 3 partitions\\)")
                .containsPattern("tmp\\.scratch +skipped: not included")
                .containsPattern("__strait_private +skipped: internal")
                .containsPattern("mm2-offset-syncs\\.b\\.internal +skipped: internal");
    }

    @Test
    void bidirectionalPlanSkipsTopicsThatCameFromTheTarget() throws Exception {
        CommandResult result = plan("flows { active { type = bidirectional, clusters = [a, b], topics-exclude = [\"tmp\\\\..*\"] } }");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String a2b = section(result.out(), "Link a->b");
        assertThat(a2b).as(result.toString())
                .containsPattern("b\\.orders +skipped: cycle \\(its name shows it came from b\\)")
                .containsPattern("tmp\\.scratch +skipped: excluded")
                .containsPattern("Replicates 1 of 5 source topics");
        String b2a = section(result.out(), "Link b->a");
        assertThat(b2a).as(result.toString())
                .containsPattern("a\\.orders +skipped: cycle \\(its name shows it came from a\\)")
                .containsPattern("orders +4 partitions -> b\\.orders \\(exists, 2 partitions, fewer than the source\\)");
    }

    private CommandResult plan(String flows) throws Exception {
        Path file = dir.resolve("plan.conf");
        Files.writeString(file, clusters.topology(flows));
        return CommandResult.run("plan", "--no-settings", file.toString());
    }

    /** The lines of one link's part of the plan. */
    private static String section(String out, String header) {
        int start = out.indexOf(header);
        assertThat(start).as("no " + header + " in:\n" + out).isNotNegative();
        int end = out.indexOf("\nLink ", start + 1);
        return end < 0 ? out.substring(start) : out.substring(start, end);
    }
}
