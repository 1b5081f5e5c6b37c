package io.strait.cli;

import io.strait.replication.KafkaSettingsValidator;
import io.strait.topology.LinkSettings;
import io.strait.topology.Problem;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code strait validate FILE... [-o json]}: checks topology files without touching any cluster.
 * With {@code -o json}, one array on stdout: per file {@code file}, {@code valid}, {@code clusters},
 * {@code links} ({@code link}, {@code source}, {@code target}, {@code flows}) and {@code problems}
 * ({@code severity} ERROR or WARNING, {@code location} FILE:LINE, {@code message}).
 */
@Command(name = "validate", description = "Validate topology files and show the links they make.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Topology files (HOCON).")
    List<Path> files;

    @Mixin
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TopologyLoader loader = new TopologyLoader(new KafkaSettingsValidator());
        int invalid = 0;
        List<Map<String, Object>> json = new ArrayList<>();
        for (Path file : files) {
            if (output.json()) {
                invalid += json(loader, file, json);
                continue;
            }
            try {
                Topology topology = loader.load(file);
                out.println(file + ": valid, " + Plural.count(topology.clusters().size(), "cluster") + " ("
                        + String.join(", ", topology.clusters().keySet()) + "), "
                        + Plural.count(topology.links().size(), "link"));
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
        if (output.json()) {
            OutputFormat.print(out, json);
        }
        out.flush();
        err.flush();
        return invalid == 0 ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
    }

    /** Adds one file's result to {@code json}; returns 1 when the file is invalid. */
    private static int json(TopologyLoader loader, Path file, List<Map<String, Object>> json) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", file.toString());
        List<Problem> problems;
        try {
            Topology topology = loader.load(file);
            result.put("valid", true);
            result.put("clusters", List.copyOf(topology.clusters().keySet()));
            List<Map<String, Object>> links = new ArrayList<>();
            for (LinkSettings link : topology.links().values()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("link", link.id().toString());
                one.put("source", link.id().source());
                one.put("target", link.id().target());
                one.put("flows", List.copyOf(link.flows()));
                links.add(one);
            }
            result.put("links", links);
            problems = topology.warnings();
        } catch (TopologyException e) {
            result.put("valid", false);
            problems = e.problems();
        }
        result.put("problems", problems.stream().map(p -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("severity", p.severity().name());
            one.put("location", p.location());
            one.put("message", p.message());
            return one;
        }).toList());
        json.add(result);
        return Boolean.TRUE.equals(result.get("valid")) ? 0 : 1;
    }
}
