package io.strait.cli;

import io.strait.failover.FailoverPlanner;
import io.strait.failover.LinkEnds;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code strait offsets FILE --from A --to B --group G [-o json]}: where a consumer group of A
 * would resume on B, partition by partition: its committed offset on A, MirrorMaker 2's
 * translation and its age, Strait's translation, the group's offset and state on B, and how many
 * records it would read again or miss if it moved now. Exit code 3 when any partition would miss
 * records.
 */
@Command(name = "offsets", description = {
    "Where a consumer group would resume on the target of a link: its committed offset on the source,",
    "MirrorMaker 2's translation (checkpoint) and its age, Strait's exact translation, the group's offset and",
    "state on the target, and the records it would read again or miss if it moved now.",
    "Exit code 3 when a partition would miss records."})
final class OffsetsCommand extends LinkGroupOptions implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TopologyException {
        PrintWriter out = spec.commandLine().getOut();
        boolean json = json();
        Topology topology = topology();
        LinkId link = link(topology, file, from, to);
        List<Map<String, Object>> all = new ArrayList<>();
        boolean miss = false;
        try (LinkEnds ends = open(new MirrorSettings(topology), link, timeout)) {
            FailoverPlanner planner = new FailoverPlanner(ends);
            for (String group : groupNames(planner)) {
                FailoverPlanner.Report report = planner.report(group);
                miss |= report.wouldMiss();
                if (json) {
                    all.add(GroupReports.json(report, null, false));
                } else {
                    GroupReports.printText(out, report, null, false);
                }
            }
        } catch (io.strait.failover.FailoverException e) {
            throw human(e);
        }
        if (json) {
            GroupReports.printJson(out, all);
        }
        return miss ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
