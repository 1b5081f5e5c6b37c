package io.strait.cli;

import io.strait.failover.FailoverException;
import io.strait.failover.FailoverPlanner;
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
import java.util.concurrent.Callable;

/**
 * {@code strait failover FILE --from A --to B --group G [--apply]}: moves consumer groups of A to
 * B, at Strait's translation of their committed offsets. A dry run unless {@code --apply}.
 * {@code --apply} refuses a group with active members on B, and leaves partitions whose offset on B
 * is already past the translation (TARGET-AHEAD: the group consumed there since).
 *
 * <p>With A reachable (a planned switchover), the translation is exact. With A gone (a disaster), it
 * is Strait's last checkpoint of the group, translated while A could be read, and the command
 * prints what may be read again and the records at risk.
 */
@Command(name = "failover", description = {
    "Move consumer groups of the source of a link to its target, at Strait's translation of their committed",
    "offsets: exact while the source is reachable, the last checkpoint (with its bound) when it is gone.",
    "A dry run unless --apply. Refuses a group with active members on the target.",
    "Exit code 3 when a group was refused or a partition would still miss records."})
final class FailoverCommand extends LinkGroupOptions implements Callable<Integer> {

    @Option(names = "--apply", description = "Set the offsets on the target (default: only show what would be set).")
    boolean apply;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TopologyException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean json = json();
        Topology topology = topology();
        LinkId link = link(topology, file, from, to);
        List<Map<String, Object>> all = new ArrayList<>();
        boolean failed = false;
        try (LinkEnds ends = open(new MirrorSettings(topology), link, timeout)) {
            FailoverPlanner planner = new FailoverPlanner(ends);
            List<String> names = groupNames(planner);
            if (names.isEmpty()) {
                err.println("strait: no consumer group of " + link + " matches " + groups.pattern);
                return ExitCodes.FAILURE;
            }
            for (FailoverPlanner.Report report : planner.reports(names)) {
                failed |= applyAndShow(report, apply, r -> planner.apply(r).set(), out, err, json ? all : null);
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
