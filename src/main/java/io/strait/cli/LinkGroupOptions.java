package io.strait.cli;

import io.strait.failover.FailoverException;
import io.strait.failover.FailoverPlanner;
import io.strait.failover.LinkEnds;
import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.apache.kafka.common.TopicPartition;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What {@code offsets}, {@code failover} and {@code failback} share: a topology, a link's two ends and the groups. */
abstract class LinkGroupOptions {

    @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (HOCON).")
    Path file;

    @Option(names = "--from", required = true, paramLabel = "CLUSTER", description = "The cluster the group leaves.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "CLUSTER", description = "The cluster the group moves to.")
    String to;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Groups groups;

    static final class Groups {
        @Option(names = "--group", paramLabel = "GROUP", description = "One consumer group.")
        String group;

        @Option(names = "--groups", paramLabel = "REGEX",
                description = "Every consumer group the link selects whose name matches (Java regex, whole name).")
        String pattern;
    }

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--timeout", defaultValue = "10s", converter = PlanCommand.DurationConverter.class,
            description = "How long to wait for each cluster (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    boolean json() {
        if (!output.equals("text") && !output.equals("json")) {
            throw new IllegalArgumentException("-o " + output + ": write text or json");
        }
        return output.equals("json");
    }

    /** The link whose source is {@code source} and target {@code target}, or a clear error naming the links there are. */
    static LinkId link(Topology topology, Path file, String source, String target) {
        for (String alias : List.of(source, target)) {
            if (!topology.clusters().containsKey(alias)) {
                throw new IllegalArgumentException("no cluster " + alias + " in " + file + ": its clusters are "
                        + String.join(", ", topology.clusters().keySet()));
            }
        }
        LinkId link = LinkId.parse(source + "->" + target);
        if (!topology.links().containsKey(link)) {
            throw new IllegalArgumentException("no link " + link + " in " + file + ": its links are "
                    + String.join(", ", topology.links().keySet().stream().map(LinkId::toString).toList())
                    + " (a group can only follow data that a link copies)");
        }
        return link;
    }

    Topology topology() throws TopologyException {
        return new TopologyLoader(new KafkaSettingsValidator()).load(file);
    }

    /** The groups asked for: the one named, or those the link selects that match the pattern. */
    List<String> groupNames(FailoverPlanner planner) {
        if (groups.group != null) {
            return List.of(groups.group);
        }
        try {
            return planner.groups(Pattern.compile(groups.pattern));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--groups " + groups.pattern + ": not a regular expression: "
                    + e.getDescription());
        }
    }

    /** Opens both ends; a target that cannot be reached is exit code 2. */
    static LinkEnds open(MirrorSettings settings, LinkId link, Duration timeout) {
        LinkEnds ends = new LinkEnds(settings, link, timeout);
        if (!ends.targetReachable()) {
            ends.close();
            throw new UnreachableException("cannot reach " + link.target() + " at "
                    + settings.topology().cluster(link.target()).bootstrapServers() + " within "
                    + timeout.toSeconds() + " s: failover needs the cluster the groups move to");
        }
        return ends;
    }

    static RuntimeException human(FailoverException e) {
        return new UnreachableException(e.getMessage(), e);
    }

    /** Sets a group's offsets ({@code --apply}); throws when the group is refused. */
    interface Apply {
        Map<TopicPartition, Long> apply(FailoverPlanner.Report report);
    }

    /**
     * One group of {@code failover} or {@code failback}: applies its plan when {@code apply}, then prints
     * it (text now, JSON added to {@code json} to print at the end).
     *
     * @return true when the group was refused, or a partition would still miss records
     */
    static boolean applyAndShow(FailoverPlanner.Report report, boolean apply, Apply applier, PrintWriter out,
                                PrintWriter err, List<Map<String, Object>> json) {
        Map<TopicPartition, Long> planned = new LinkedHashMap<>();
        report.rows().forEach(r -> r.planned().ifPresent(o -> planned.put(r.target(), o)));
        Map<TopicPartition, Long> set = planned;
        boolean failed = false;
        boolean done = false;
        if (apply) {
            try {
                set = applier.apply(report);
                done = true;
            } catch (FailoverException e) {
                err.println("strait: " + e.getMessage());
                failed = true;
            }
        }
        failed |= report.rows().stream().anyMatch(r -> r.missed() > 0 && r.planned().isEmpty());
        if (json != null) {
            json.add(GroupReports.json(report, set, done));
        } else {
            GroupReports.printText(out, report, set, done);
        }
        return failed;
    }
}
