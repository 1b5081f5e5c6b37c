package io.strait.cli;

import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.replication.ReplicationPlanner.LinkPlan;
import io.strait.replication.ReplicationPlanner.TopicPlan;
import io.strait.topology.LinkId;
import io.strait.topology.LinkSettings;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.Callable;

/**
 * {@code strait plan FILE [--offline]}: the links, each link's effective MirrorMaker 2 settings,
 * and (unless offline) what each link will replicate from the clusters as they are now.
 */
@Command(name = "plan", description = "Show each link's MirrorMaker 2 settings and what it will replicate.")
final class PlanCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (HOCON).")
    Path file;

    @Option(names = "--offline", description = "Do not contact the clusters; show only links and settings.")
    boolean offline;

    @Option(names = "--timeout", defaultValue = "10s", description = "How long to wait for each cluster (default: ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration timeout;

    @Option(names = "--settings", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Print each link's effective settings (default: ${DEFAULT-VALUE}).")
    boolean showSettings;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TopologyException {
        PrintWriter out = spec.commandLine().getOut();
        Topology topology = new TopologyLoader(new KafkaSettingsValidator()).load(file);
        topology.warnings().forEach(w -> spec.commandLine().getErr().println(w));
        MirrorSettings settings = new MirrorSettings(topology);
        Map<LinkId, LinkPlan> plans = new java.util.TreeMap<>();
        if (!offline) {
            new ReplicationPlanner(settings, timeout).plan().forEach(p -> plans.put(p.link(), p));
        }
        out.println("Topology " + file + ": " + topology.links().size() + " links between "
                + String.join(", ", topology.clusters().keySet()));
        for (LinkSettings link : topology.links().values()) {
            out.println();
            out.println("Link " + link.id() + " (flow" + (link.flows().size() > 1 ? "s " : " ")
                    + String.join(", ", link.flows()) + ")");
            if (showSettings) {
                printSettings(out, settings, link.id());
            }
            LinkPlan plan = plans.get(link.id());
            if (plan != null) {
                printPlan(out, plan);
            }
        }
        out.flush();
        boolean unreachable = plans.values().stream().anyMatch(p -> p.error().isPresent());
        return unreachable ? ExitCodes.UNREACHABLE : ExitCodes.OK;
    }

    private void printSettings(PrintWriter out, MirrorSettings settings, LinkId link) {
        out.println("  Connect worker:");
        print(out, MirrorSettings.redacted(settings.workerConfig(link)));
        Map<String, SortedMap<String, String>> connectors = settings.connectorConfigs(link);
        String sourceName = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        SortedMap<String, String> source = connectors.get(sourceName);
        out.println("  Connector " + sourceName + ":");
        print(out, MirrorSettings.redacted(source));
        connectors.forEach((name, config) -> {
            if (config != source) {
                out.println("  Connector " + name + " (as " + sourceName + " except):");
                SortedMap<String, String> differing = new java.util.TreeMap<>(config);
                differing.entrySet().removeIf(e -> Objects.equals(source.get(e.getKey()), e.getValue()));
                print(out, MirrorSettings.redacted(differing));
            }
        });
    }

    private static void print(PrintWriter out, SortedMap<String, String> settings) {
        settings.forEach((k, v) -> out.println("    " + k + " = " + v));
    }

    private static void printPlan(PrintWriter out, LinkPlan plan) {
        if (plan.error().isPresent()) {
            out.println("  UNREACHABLE: " + plan.error().get());
            return;
        }
        List<TopicPlan> replicated = plan.replicated();
        out.println("  Replicates " + replicated.size() + " of " + plan.topics().size() + " source topics:");
        int width = plan.topics().stream().mapToInt(t -> t.sourceTopic().length()).max().orElse(0);
        for (TopicPlan topic : replicated) {
            out.printf("    %-" + width + "s  %3d partitions -> %s (%s)%n", topic.sourceTopic(), topic.partitions(),
                    topic.targetTopic(), topic.targetExists()
                            ? "exists, " + topic.targetPartitions() + " partitions" : "will be created");
        }
        for (TopicPlan topic : plan.topics()) {
            if (!topic.replicates()) {
                out.printf("    %-" + width + "s  skipped: %s%n", topic.sourceTopic(), topic.skipReason().get());
            }
        }
    }

    /** Parses durations the way the topology file writes them: 10s, 500ms, 1m. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return com.typesafe.config.ConfigFactory.parseString("d = " + value).getDuration("d");
        }
    }
}
