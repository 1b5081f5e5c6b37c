package io.strait.cli;

import io.strait.replication.ClusterIdentities;
import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationVerifier;
import io.strait.replication.ReplicationVerifier.LinkReport;
import io.strait.replication.ReplicationVerifier.PartitionCheck;
import io.strait.replication.ReplicationVerifier.Verdict;
import io.strait.topology.LinkId;
import io.strait.topology.SharedClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
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
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code strait verify FILE [--link a->b] [--topic T]}: compares every replicated partition with
 * its source, record by record, and gives one verdict per link.
 *
 * <p>With {@code -o json}, one object on stdout: {@code links}, each with {@code link}, {@code verdict}
 * (OK, LAGGING, LOST, MISMATCH or UNREACHABLE), {@code summary} (the text's verdict line), {@code error},
 * {@code replicated}, {@code duplicates}, {@code lag} and {@code partitions} (the table's columns, with
 * {@code position} null when the link has committed none), and {@code refused} (links not verified:
 * {@code link}, {@code reason}).
 */
@Command(name = "verify", description = "Compare replicated topics with their sources, partition by partition.")
final class VerifyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (HOCON).")
    Path file;

    @Option(names = "--link", paramLabel = "SOURCE->TARGET", description = "Only this link.")
    String link;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Only this source topic.")
    String topic;

    @Option(names = "--timeout", defaultValue = "10s", converter = PlanCommand.DurationConverter.class,
            description = "How long to wait for each cluster (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TopologyException {
        PrintWriter out = spec.commandLine().getOut();
        Topology topology = new TopologyLoader(new KafkaSettingsValidator()).load(file);
        Optional<LinkId> only = Optional.ofNullable(link).map(LinkId::parse);
        if (only.isPresent() && !topology.links().containsKey(only.get())) {
            throw new IllegalArgumentException("no link " + link + " in " + file + ": its links are "
                    + String.join(", ", topology.links().keySet().stream().map(LinkId::toString).toList()));
        }
        // Links that run refuses (two aliases of one cluster) copy nothing: say so instead of a verdict.
        Map<LinkId, String> refused = new TreeMap<>();
        List<LinkReport> reports = new java.util.ArrayList<>();
        try (Progress progress = Progress.onTerminal(spec.commandLine().getErr())) {
            progress.step("asking " + Plural.count(topology.clusters().size(), "cluster") + " for their IDs");
            try (ClusterIdentities identities = new ClusterIdentities(topology)) {
                identities.findings(timeout).stream().filter(SharedClusters.Finding::refuses)
                        .forEach(f -> f.links().forEach(l -> refused.putIfAbsent(l, f.message())));
            }
            ReplicationVerifier verifier = new ReplicationVerifier(new MirrorSettings(topology), timeout);
            if (refused.isEmpty()) {
                progress.step("verifying " + (only.isPresent() ? only.get().toString()
                        : Plural.count(topology.links().size(), "link")) + ": reading every record of the replicated topics");
                reports.addAll(verifier.verify(only, Optional.ofNullable(topic)));
            } else {
                // Only the links that run: a refused link's target topics need not exist.
                List<LinkId> running = topology.links().keySet().stream()
                        .filter(id -> !refused.containsKey(id) && (only.isEmpty() || only.get().equals(id))).toList();
                for (int i = 0; i < running.size(); i++) {
                    progress.step("verifying " + running.get(i) + " (link " + (i + 1) + " of " + running.size()
                            + "): reading every record of the replicated topics");
                    reports.addAll(verifier.verify(Optional.of(running.get(i)), Optional.ofNullable(topic)));
                }
            }
        }
        Map<LinkId, String> notVerified = new TreeMap<>(refused);
        notVerified.keySet().removeIf(id -> only.isPresent() && !only.get().equals(id));
        if (output.json()) {
            OutputFormat.print(out, json(reports, notVerified));
        } else {
            print(out, reports);
            notVerified.forEach((id, why) -> out.println(id + ": REFUSED, not verified: " + why));
        }
        out.flush();
        Verdict worst = reports.stream().map(LinkReport::verdict).max(Enum::compareTo).orElse(Verdict.OK);
        return switch (worst) {
            case OK, LAGGING -> notVerified.isEmpty() ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
            case UNREACHABLE -> ExitCodes.UNREACHABLE;
            case LOST, MISMATCH -> ExitCodes.FAILURE;
        };
    }

    private static Map<String, Object> json(List<LinkReport> reports, Map<LinkId, String> refused) {
        List<Map<String, Object>> links = new java.util.ArrayList<>();
        for (LinkReport report : reports) {
            Map<String, Object> link = new java.util.LinkedHashMap<>();
            link.put("link", report.link().toString());
            link.put("verdict", report.verdict().name());
            link.put("summary", report.verdictLine());
            link.put("error", report.error().orElse(null));
            link.put("replicated", report.replicated());
            link.put("duplicates", report.duplicates());
            link.put("lag", report.lag());
            List<Map<String, Object>> partitions = new java.util.ArrayList<>();
            for (PartitionCheck p : report.partitions()) {
                Map<String, Object> one = new java.util.LinkedHashMap<>();
                one.put("sourceTopic", p.sourceTopic());
                one.put("targetTopic", p.targetTopic());
                one.put("partition", p.partition());
                one.put("sourceRecords", p.sourceRecords());
                one.put("targetRecords", p.targetRecords());
                one.put("replicated", p.replicated());
                one.put("duplicates", p.duplicates());
                one.put("lag", p.lag());
                one.put("lostAtSource", p.lostAtSource());
                one.put("olderOnTarget", p.olderOnTarget());
                one.put("position", p.position().isPresent() ? p.position().getAsLong() : null);
                one.put("verdict", p.verdict().name());
                one.put("problem", p.problem().orElse(null));
                partitions.add(one);
            }
            link.put("partitions", partitions);
            links.add(link);
        }
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("links", links);
        json.put("refused", refused.entrySet().stream().map(e -> {
            Map<String, Object> one = new java.util.LinkedHashMap<>();
            one.put("link", e.getKey().toString());
            one.put("reason", e.getValue());
            return one;
        }).toList());
        return json;
    }

    static void print(PrintWriter out, List<LinkReport> reports) {
        out.printf("%-32s %4s %10s %10s %10s %6s %8s %8s %8s %10s  %s%n", "TOPIC -> TARGET", "PART", "SOURCE", "TARGET",
                "REPLICATED", "DUPES", "LAG", "LOST", "OLDER", "POSITION", "VERDICT");
        for (LinkReport report : reports) {
            for (PartitionCheck p : report.partitions()) {
                out.printf("%-32s %4d %10d %10d %10d %6d %8d %8d %8d %10s  %s%n", p.sourceTopic() + " -> " + p.targetTopic(),
                        p.partition(), p.sourceRecords(), p.targetRecords(), p.replicated(), p.duplicates(), p.lag(),
                        p.lostAtSource(), p.olderOnTarget(),
                        p.position().isPresent() ? Long.toString(p.position().getAsLong()) : "-",
                        p.verdict() + p.problem().map(s -> ": " + s).orElse(""));
            }
        }
        for (LinkReport report : reports) {
            out.println(report.verdictLine());
        }
        out.flush();
    }
}
