package io.strait.cli;

import io.strait.replication.KafkaSettingsValidator;
import io.strait.topology.LinkSettings;
import io.strait.topology.Problem;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code strait validate FILE...}: checks topology files without touching any cluster. */
@Command(name = "validate", description = "Validate topology files and show the links they make.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Topology files (HOCON).")
    List<Path> files;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopologyLoader loader = new TopologyLoader(new KafkaSettingsValidator());
        int invalid = 0;
        for (Path file : files) {
            try {
                Topology topology = loader.load(file);
                out.println(file + ": valid, " + topology.clusters().size() + " clusters ("
                        + String.join(", ", topology.clusters().keySet()) + "), " + topology.links().size() + " links");
                int width = topology.links().keySet().stream().mapToInt(l -> l.toString().length()).max().orElse(0);
                for (LinkSettings link : topology.links().values()) {
                    out.printf("  %-" + width + "s  from flow%s %s%n", link.id(),
                            link.flows().size() > 1 ? "s" : "", String.join(", ", link.flows()));
                }
                topology.warnings().forEach(w -> err.println(w));
            } catch (TopologyException e) {
                invalid++;
                e.problems().forEach(p -> err.println(p));
                long errors = e.problems().stream().filter(Problem::isError).count();
                err.println(file + ": invalid, " + errors + " error" + (errors == 1 ? "" : "s"));
            }
        }
        out.flush();
        err.flush();
        return invalid == 0 ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
    }
}
