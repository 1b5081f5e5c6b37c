package io.strait.cli;

import io.strait.failover.FailbackPlanner;
import io.strait.failover.FailoverException;
import io.strait.failover.LinkEnds;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code strait failback FILE --from B --to A --group G [--apply]}: after a failover A to B, once A
 * has returned, moves the group back: its position on B's copies of A's topics goes back to A's own
 * topics (through the A->B link's offset map), and its position on B's own topics goes to their
 * copies on A (through the B->A link's, when there is one). Records A holds that never reached B are
 * reported. A dry run unless {@code --apply}; refuses a group with active members on A.
 */
@Command(name = "failback", description = {
    "After a failover from A to B, once A is back: move consumer groups from B back to A. Their position on",
    "B's copies of A's topics goes back to A's topics; their position on B's own topics goes to the copies on A",
    "(needs a B->A link). Records A holds that never reached B are reported.",
    "A dry run unless --apply. Refuses a group with active members on A."})
final class FailbackCommand extends LinkGroupOptions implements Callable<Integer> {

    @Option(names = "--apply", description = "Set the offsets on A (default: only show what would be set).")
    boolean apply;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TopologyException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean json = json();
        Topology topology = topology();
        // The group failed over along to->from; it moves back along the same link, read backwards.
        LinkId forwardLink = link(topology, file, to, from);
        LinkId backLink = LinkId.parse(from + "->" + to);
        MirrorSettings settings = new MirrorSettings(topology);
        List<Map<String, Object>> all = new ArrayList<>();
        boolean failed = false;
        try (LinkEnds forward = open(settings, forwardLink, timeout);
             LinkEnds back = topology.links().containsKey(backLink) ? new LinkEnds(settings, backLink, timeout) : null) {
            if (!forward.sourceReachable()) {
                throw new UnreachableException("cannot reach " + to + " at "
                        + topology.cluster(to).bootstrapServers() + ": failback moves groups back to it once it is back");
            }
            FailbackPlanner planner = new FailbackPlanner(forward, Optional.ofNullable(back));
            List<String> names = groups.group != null ? List.of(groups.group)
                    : planner.groups(Pattern.compile(groups.pattern));
            if (names.isEmpty()) {
                err.println("strait: no consumer group on " + from + " matches " + groups.pattern
                        + (back == null ? " (without a " + backLink + " link, name the group with --group)" : ""));
                return ExitCodes.FAILURE;
            }
            for (String group : names) {
                failed |= applyAndShow(planner.report(group), apply, planner::apply, out, err, json ? all : null);
            }
        } catch (FailoverException e) {
            throw human(e);
        }
        if (json) {
            GroupReports.printJson(out, all);
        }
        err.flush();
        return failed ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
