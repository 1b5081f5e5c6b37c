package io.strait.cli;

import io.strait.replication.ClusterIdentities;
import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.replication.ReplicationPlanner.LinkPlan;
import io.strait.replication.ReplicationPlanner.TopicPlan;
import io.strait.replication.TopicConfigDiff;
import io.strait.topology.LinkId;
import io.strait.topology.LinkSettings;
import io.strait.topology.SharedClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
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
 * and (unless offline) the clusters' IDs and what each link will replicate from the clusters as
 * they are now. A link that {@code run} would refuse because two of the topology's aliases name one
 * Kafka cluster ({@link SharedClusters}) shows as REFUSED, and the exit code is 1.
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
        Map<LinkId, ConfigDifferences> differences = new java.util.TreeMap<>();
        Map<String, String> clusterIds = Map.of();
        List<SharedClusters.Finding> shared = List.of();
        if (!offline) {
            new ReplicationPlanner(settings, timeout).plan().forEach(p -> plans.put(p.link(), p));
            differences.putAll(configDifferences(settings, plans.values()));
            // The same rule the links apply before they start: aliases of one cluster, by cluster ID.
            try (ClusterIdentities identities = new ClusterIdentities(topology)) {
                clusterIds = identities.clusterIds(timeout, timeout);
                shared = identities.findings(clusterIds);
            }
        }
        out.println("Topology " + file + ": " + topology.links().size() + " links between "
                + String.join(", ", topology.clusters().keySet()));
        if (!clusterIds.isEmpty()) {
            out.println("Cluster IDs: " + clusterIds.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        for (LinkSettings link : topology.links().values()) {
            out.println();
            out.println("Link " + link.id() + " (flow" + (link.flows().size() > 1 ? "s " : " ")
                    + String.join(", ", link.flows()) + ")");
            if (showSettings) {
                printSettings(out, settings, link.id());
            }
            List<SharedClusters.Finding> about = shared.stream().filter(f -> f.links().contains(link.id())).toList();
            about.stream().filter(f -> !f.refuses()).forEach(f -> out.println("  WARNING: " + f.message()));
            java.util.Optional<SharedClusters.Finding> refused = about.stream().filter(SharedClusters.Finding::refuses)
                    .findFirst();
            LinkPlan plan = plans.get(link.id());
            if (refused.isPresent()) {
                out.println("  REFUSED, will not start: " + refused.get().message());
            } else if (plan != null) {
                printPlan(out, plan, differences.get(link.id()));
            }
        }
        out.flush();
        if (shared.stream().anyMatch(SharedClusters.Finding::refuses)) {
            return ExitCodes.INVALID_INPUT;
        }
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

    /**
     * A link's replicated topics whose target exists, each with the configs where target and source
     * differ, and whether MirrorMaker 2's config sync will bring them in line.
     */
    record ConfigDifferences(TopicConfigDiff comparison, Map<String, List<TopicConfigDiff.Difference>> byTopic,
                             java.util.Optional<String> error) {
    }

    private Map<LinkId, ConfigDifferences> configDifferences(MirrorSettings settings, java.util.Collection<LinkPlan> plans) {
        Map<LinkId, ConfigDifferences> result = new java.util.TreeMap<>();
        Map<String, Admin> admins = new java.util.HashMap<>();
        try {
            for (LinkPlan plan : plans) {
                if (plan.error().isPresent()) {
                    continue;
                }
                LinkId link = plan.link();
                TopicConfigDiff comparison = TopicConfigDiff.of(settings, link);
                List<TopicPlan> present = plan.replicated().stream().filter(TopicPlan::targetExists).toList();
                Map<String, List<TopicConfigDiff.Difference>> byTopic = new java.util.TreeMap<>();
                try {
                    Map<String, Config> source = TopicConfigDiff.describe(admin(admins, settings, link.source()),
                            present.stream().map(TopicPlan::sourceTopic).toList(), timeout);
                    Map<String, Config> target = TopicConfigDiff.describe(admin(admins, settings, link.target()),
                            present.stream().map(TopicPlan::targetTopic).toList(), timeout);
                    for (TopicPlan topic : present) {
                        if (source.containsKey(topic.sourceTopic()) && target.containsKey(topic.targetTopic())) {
                            byTopic.put(topic.sourceTopic(), comparison.compare(source.get(topic.sourceTopic()),
                                    target.get(topic.targetTopic())));
                        }
                    }
                    result.put(link, new ConfigDifferences(comparison, byTopic, java.util.Optional.empty()));
                } catch (java.util.concurrent.TimeoutException e) {
                    result.put(link, new ConfigDifferences(comparison, byTopic, java.util.Optional.of(
                            "no answer within " + timeout.toSeconds() + " s")));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            admins.values().forEach(Admin::close);
        }
        return result;
    }

    private Admin admin(Map<String, Admin> admins, MirrorSettings settings, String alias) {
        return admins.computeIfAbsent(alias, a -> Admin.create(ReplicationPlanner.adminConfig(settings.topology().cluster(a), timeout)));
    }

    private static void printPlan(PrintWriter out, LinkPlan plan, ConfigDifferences differences) {
        if (plan.error().isPresent()) {
            out.println("  UNREACHABLE: " + plan.error().get());
            return;
        }
        List<TopicPlan> replicated = plan.replicated();
        out.println("  Replicates " + replicated.size() + " of " + plan.topics().size() + " source topics:");
        int width = plan.topics().stream().mapToInt(t -> t.sourceTopic().length()).max().orElse(0);
        for (TopicPlan topic : replicated) {
            out.printf("    %-" + width + "s  %3d partitions -> %s (%s%s)%n", topic.sourceTopic(), topic.partitions(),
                    topic.targetTopic(), topic.targetExists() ? "exists, " + target(topic) : "will be created",
                    topic.heartbeats() ? "; MirrorMaker 2's heartbeats, copied whatever the selection" : "");
            if (differences == null) {
                continue;
            }
            // Where the existing target topic's configs differ from the source's, and whether MM2 syncs them.
            for (TopicConfigDiff.Difference difference : differences.byTopic().getOrDefault(topic.sourceTopic(), List.of())) {
                out.printf("    %-" + width + "s    differs: %s%n", "",
                        differences.comparison().describe(difference, plan.link().source(), plan.link().target()));
            }
        }
        if (differences != null && differences.error().isPresent()) {
            out.println("    configs not compared: " + differences.error().get());
        }
        for (TopicPlan topic : plan.topics()) {
            if (!topic.replicates()) {
                out.printf("    %-" + width + "s  skipped: %s%n", topic.sourceTopic(), topic.skipReason().get());
            }
        }
    }

    /** The target's partition count, and how it compares with the source's. */
    private static String target(TopicPlan topic) {
        int count = topic.targetPartitions();
        String partitions = count == 1 ? "1 partition" : count + " partitions";
        if (count < topic.partitions()) {
            return partitions + ", fewer than the source";
        }
        return count > topic.partitions() ? partitions + ", more than the source" : partitions;
    }

    /** Parses durations the way the topology file writes them: 10s, 500ms, 1m. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return com.typesafe.config.ConfigFactory.parseString("d = " + value).getDuration("d");
        }
    }
}
