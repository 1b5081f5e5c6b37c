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
import picocli.CommandLine.Mixin;
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
 *
 * <p>With {@code -o json}, one object on stdout: {@code topology}, {@code clusters}, {@code clusterIds}
 * and {@code links}, each with {@code link}, {@code source}, {@code target}, {@code flows}, {@code settings}
 * ({@code worker} and {@code connectors}, secrets hidden; unless {@code --no-settings}), {@code warnings},
 * {@code refused}, {@code unreachable}, {@code topics} (each source topic: {@code sourceTopic},
 * {@code partitions}, {@code targetTopic}, {@code targetPartitions} (null when the target does not exist),
 * {@code replicates}, {@code skipReason}, {@code heartbeats}, {@code configDifferences}) and
 * {@code configsNotCompared}.
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

    @Mixin
    OutputFormat output;

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
            try (Progress progress = Progress.onTerminal(spec.commandLine().getErr())) {
                progress.step("listing the topics of " + Plural.count(topology.clusters().size(), "cluster"));
                new ReplicationPlanner(settings, timeout).plan().forEach(p -> plans.put(p.link(), p));
                differences.putAll(configDifferences(settings, plans.values(), progress));
                // The same rule the links apply before they start: aliases of one cluster, by cluster ID.
                progress.step("asking " + Plural.count(topology.clusters().size(), "cluster") + " for their IDs");
                try (ClusterIdentities identities = new ClusterIdentities(topology)) {
                    clusterIds = identities.clusterIds(timeout, timeout);
                    shared = identities.findings(clusterIds);
                }
            }
        }
        if (output.json()) {
            OutputFormat.print(out, json(topology, settings, plans, differences, clusterIds, shared));
            return exitCode(plans, shared);
        }
        out.println("Topology " + file + ": " + Plural.count(topology.links().size(), "link") + " between "
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
        return exitCode(plans, shared);
    }

    private static int exitCode(Map<LinkId, LinkPlan> plans, List<SharedClusters.Finding> shared) {
        if (shared.stream().anyMatch(SharedClusters.Finding::refuses)) {
            return ExitCodes.INVALID_INPUT;
        }
        boolean unreachable = plans.values().stream().anyMatch(p -> p.error().isPresent());
        return unreachable ? ExitCodes.UNREACHABLE : ExitCodes.OK;
    }

    /** The plan as one JSON object: what the text shows, field by field (see the class comment). */
    private Map<String, Object> json(Topology topology, MirrorSettings settings, Map<LinkId, LinkPlan> plans,
                                     Map<LinkId, ConfigDifferences> differences, Map<String, String> clusterIds,
                                     List<SharedClusters.Finding> shared) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("topology", file.toString());
        json.put("clusters", List.copyOf(topology.clusters().keySet()));
        json.put("clusterIds", clusterIds.isEmpty() ? null : new java.util.TreeMap<>(clusterIds));
        List<Map<String, Object>> links = new java.util.ArrayList<>();
        for (LinkSettings link : topology.links().values()) {
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("link", link.id().toString());
            one.put("source", link.id().source());
            one.put("target", link.id().target());
            one.put("flows", List.copyOf(link.flows()));
            if (showSettings) {
                Map<String, Object> linkSettings = new java.util.LinkedHashMap<>();
                linkSettings.put("worker", MirrorSettings.redacted(settings.workerConfig(link.id())));
                Map<String, Object> connectors = new java.util.TreeMap<>();
                settings.connectorConfigs(link.id()).forEach((name, config) -> connectors.put(name, MirrorSettings.redacted(config)));
                linkSettings.put("connectors", connectors);
                one.put("settings", linkSettings);
            }
            List<SharedClusters.Finding> about = shared.stream().filter(f -> f.links().contains(link.id())).toList();
            one.put("warnings", about.stream().filter(f -> !f.refuses()).map(SharedClusters.Finding::message).toList());
            one.put("refused", about.stream().filter(SharedClusters.Finding::refuses).map(SharedClusters.Finding::message)
                    .findFirst().orElse(null));
            LinkPlan plan = plans.get(link.id());
            one.put("unreachable", plan == null ? null : plan.error().orElse(null));
            ConfigDifferences diff = differences.get(link.id());
            if (plan != null && plan.error().isEmpty()) {
                List<Map<String, Object>> topics = new java.util.ArrayList<>();
                for (TopicPlan topic : plan.topics()) {
                    Map<String, Object> t = new java.util.LinkedHashMap<>();
                    t.put("sourceTopic", topic.sourceTopic());
                    t.put("partitions", topic.partitions());
                    t.put("targetTopic", topic.targetTopic());
                    t.put("targetPartitions", topic.targetExists() ? topic.targetPartitions() : null);
                    t.put("replicates", topic.replicates());
                    t.put("skipReason", topic.skipReason().orElse(null));
                    t.put("heartbeats", topic.heartbeats());
                    t.put("configDifferences", diff == null ? List.of() : diff.byTopic()
                            .getOrDefault(topic.sourceTopic(), List.of()).stream()
                            .map(d -> diff.comparison().describe(d, link.id().source(), link.id().target())).toList());
                    topics.add(t);
                }
                one.put("topics", topics);
                one.put("configsNotCompared", diff == null ? null : diff.error().orElse(null));
            }
            links.add(one);
        }
        json.put("links", links);
        return json;
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

    private Map<LinkId, ConfigDifferences> configDifferences(MirrorSettings settings, java.util.Collection<LinkPlan> plans,
                                                             Progress progress) {
        Map<LinkId, ConfigDifferences> result = new java.util.TreeMap<>();
        Map<String, Admin> admins = new java.util.HashMap<>();
        int done = 0;
        try {
            for (LinkPlan plan : plans) {
                done++;
                if (plan.error().isPresent()) {
                    continue;
                }
                LinkId link = plan.link();
                progress.step("comparing topic configs of " + link + " (link " + done + " of " + plans.size() + ")");
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
        out.println("  Replicates " + replicated.size() + " of " + Plural.count(plan.topics().size(), "source topic") + ":");
        int width = plan.topics().stream().mapToInt(t -> t.sourceTopic().length()).max().orElse(0);
        for (TopicPlan topic : replicated) {
            out.printf("    %-" + width + "s  %3d %s -> %s (%s%s)%n", topic.sourceTopic(), topic.partitions(),
                    topic.partitions() == 1 ? "partition " : "partitions",
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
