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
        try (ClusterIdentities identities = new ClusterIdentities(topology)) {
            identities.findings(timeout).stream().filter(SharedClusters.Finding::refuses)
                    .forEach(f -> f.links().forEach(l -> refused.putIfAbsent(l, f.message())));
        }
        ReplicationVerifier verifier = new ReplicationVerifier(new MirrorSettings(topology), timeout);
        List<LinkReport> reports = new java.util.ArrayList<>();
        if (refused.isEmpty()) {
            reports.addAll(verifier.verify(only, Optional.ofNullable(topic)));
        } else {
            // Only the links that run: a refused link's target topics need not exist.
            topology.links().keySet().stream()
                    .filter(id -> !refused.containsKey(id) && (only.isEmpty() || only.get().equals(id)))
                    .forEach(id -> reports.addAll(verifier.verify(Optional.of(id), Optional.ofNullable(topic))));
        }
        print(out, reports);
        refused.forEach((id, why) -> {
            if (only.isEmpty() || only.get().equals(id)) {
                out.println(id + ": REFUSED, not verified: " + why);
            }
        });
        out.flush();
        Verdict worst = reports.stream().map(LinkReport::verdict).max(Enum::compareTo).orElse(Verdict.OK);
        return switch (worst) {
            case OK, LAGGING -> refused.keySet().stream().anyMatch(id -> only.isEmpty() || only.get().equals(id))
                    ? ExitCodes.INVALID_INPUT : ExitCodes.OK;
            case UNREACHABLE -> ExitCodes.UNREACHABLE;
            case LOST, MISMATCH -> ExitCodes.FAILURE;
        };
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
