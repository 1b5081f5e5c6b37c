package io.strait.bench;

import io.strait.bench.Results.CopyRun;
import io.strait.bench.Results.LatencyResult;
import io.strait.bench.Results.LinksRun;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The results as Markdown. A replicator whose target failed verification (or that did not finish)
 * gets no figure at all, only the reason.
 */
final class Report {

    private Report() {
    }

    /** The medians of one replicator's verified runs at one partition count; empty if any run failed. */
    private record Summary(Variant variant, List<CopyRun> runs, String failure) {
        boolean ok() {
            return failure == null && !runs.isEmpty();
        }

        double median(ToDoubleFunction<CopyRun> f) {
            return Report.median(runs.stream().mapToDouble(f));
        }

        double first() {
            return median(CopyRun::first);
        }

        double last() {
            return median(CopyRun::last);
        }

        double mbps() {
            return median(CopyRun::copyMBps);
        }

        double rssMb() {
            return median(r -> r.peakRssKib() / 1024.0);
        }

        double cpu() {
            return median(CopyRun::cpuSeconds);
        }

        double brokerCpu() {
            return median(CopyRun::brokerCpuSeconds);
        }

        double cpuPerMillion() {
            return median(CopyRun::cpuPerMillion);
        }

        double brokerCpuPerMillion() {
            return median(CopyRun::brokerCpuPerMillion);
        }

        double produceRequestsPerMillion() {
            return median(CopyRun::produceRequestsPerMillion);
        }

        double kbPerProduceRequest() {
            return median(CopyRun::bytesPerProduceRequest) / 1e3;
        }

        double fetchRequestsPerMillion() {
            return median(CopyRun::fetchRequestsPerMillion);
        }

        double sourceProduceRequestsPerMillion() {
            return median(CopyRun::sourceProduceRequestsPerMillion);
        }

        double sourceRecordsPerMillion() {
            return median(CopyRun::sourceRecordsPerMillion);
        }

        double kbPerFetchRequest() {
            return median(CopyRun::bytesPerFetchRequest) / 1e3;
        }
    }

    /** A figure with {@code decimals} decimals and thousands separators, or "n/a" if it was not measured. */
    /** The median of the values that are numbers; NaN if there are none. */
    static double median(java.util.stream.DoubleStream values) {
        double[] sorted = values.filter(v -> !Double.isNaN(v)).sorted().toArray();
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String figure(double value, int decimals) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "n/a"
                : String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** The raw copy's client settings, and whether --jvm-opts changed them. */
    private static String rawSettings(BenchOptions o) {
        return RawCopy.describeSettings() + (o.replicatorJvmOptions.contains("-Dbench.raw.")
                ? " (**changed by `-Dbench.raw.*` in the replicator JVM options**)" : "")
                + ". These differ from Strait's defaults: " + straitSettings(o);
    }

    /** Strait's producer and consumer defaults, from the reference.conf of the Strait that ran. */
    private static String straitSettings(BenchOptions o) {
        java.util.Map<String, String> producer = StraitSettings.producerSettings(o.straitClasspath);
        if (producer.isEmpty()) {
            return "see Strait's reference.conf";
        }
        String consumer = StraitSettings.consumer(o.straitClasspath);
        return "producer " + StraitSettings.producer(o.straitClasspath)
                + (producer.containsKey("max.in.flight.requests.per.connection") ? ""
                : ", the copy loop's 5 requests in flight with each partition's first write alone (KAFKA-15591)")
                + "; source consumer " + (consumer.isEmpty()
                ? "with Kafka's defaults, reading `read_committed`" : consumer) + " (Strait's reference.conf)";
    }

    static String markdown(Results results) {
        BenchOptions o = results.options;
        StringBuilder md = new StringBuilder();
        md.append("# Strait benchmark results\n\n");
        md.append("Written by `bench/run.sh` (see [README.md](README.md)); it replaces this file on every run.\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Date", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT)));
        row(md, "Command", "`" + o.command + "`" + (o.quick ? " (quick mode: small sizes, noisy numbers)" : ""));
        row(md, "Strait", "git " + o.revision);
        row(md, "Duration", String.format(Locale.ROOT, "%.0f s", results.elapsedSeconds));
        row(md, "Machine", Machine.cpu() + ", " + Machine.memory() + " memory, " + Machine.os());
        row(md, "Load average at start", results.loadAverageAtStart);
        row(md, "Java", Machine.java());
        row(md, "Kafka", Machine.kafka() + " (brokers, clients, stock MirrorMaker 2, and Strait's Kafka Connect)");
        row(md, "Data", String.format(Locale.ROOT, "%,d records: %d B value, 8 B key, %d headers; %d B of payload each",
                o.records, o.recordSize, o.headers, results.recordBytes));
        if (!o.straitExtra.isEmpty()) {
            row(md, "Strait overrides", "`" + o.straitExtra.replace("\n", "; ").replace("|", "\\|")
                    + "` (given with `--strait-set`: these are not Strait's defaults)");
        }
        if (o.variants.contains(Variant.RAW) || o.latencyVariants.contains(Variant.RAW)) {
            row(md, "Raw copy's clients", "one thread; " + rawSettings(o));
        }
        row(md, "Replicator JVMs", "`" + o.replicatorJvmOptions + "` for all three" + (o.jfr ? ", with JFR" : "")
                + (o.rawJvmOptions.isBlank() ? "" : "; the raw copy also `" + o.rawJvmOptions + "`"));
        row(md, "Clusters", "one KRaft node (broker and controller) per cluster, each its own JVM on 127.0.0.1; "
                + "a fresh target cluster for every run; the source loaded once per partition count");
        md.append('\n');

        if (o.runs(BenchOptions.Section.THROUGHPUT)) {
            throughput(md, results);
        }
        if (o.runs(BenchOptions.Section.LATENCY)) {
            latency(md, results);
        }
        if (o.runs(BenchOptions.Section.PARTITIONS)) {
            partitions(md, results);
        }
        if (o.runs(BenchOptions.Section.LINKS)) {
            links(md, results);
        }
        if (o.runs(BenchOptions.Section.CRASH)) {
            crash(md, results);
        }
        everyRun(md, results);
        steps(md, results);
        howMeasured(md, o);
        if (!results.errors.isEmpty()) {
            md.append("## Errors\n\n");
            results.errors.forEach(e -> md.append("- ").append(cell(e)).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    private static void throughput(StringBuilder md, Results results) {
        BenchOptions o = results.options;
        int p = o.partitions;
        md.append(String.format(Locale.ROOT, "## Throughput: %,d records, %d partitions%s\n\n", o.records, p,
                o.repeat > 1 ? " (median of " + o.repeat + " rounds, run interleaved)" : ""));
        md.append("| replicator | launch to last record (s) | first record (s) | copy phase (MB/s) | peak RSS (MB) "
                + "| CPU (s) | brokers' CPU (s) | CPU per 1M records: replicator (s) | brokers (s) "
                + "| Produce requests per 1M records (target) | KB per Produce request | Fetch requests per 1M records (source) "
                + "| KB per Fetch response | written to the source per 1M records: Produce requests / records "
                + "| vs raw: last / first / MB/s | verification |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        Optional<Summary> raw = summary(results, Variant.RAW, p);
        for (Variant v : o.variants) {
            Optional<Summary> maybe = summary(results, v, p);
            if (maybe.isEmpty()) {
                md.append("| ").append(v.label(o)).append(" |").append(" – |".repeat(14)).append(" not run |\n");
                continue;
            }
            Summary s = maybe.get();
            if (!s.ok()) {
                md.append("| ").append(v.label(o)).append(" |").append(" – |".repeat(14)).append(" ")
                        .append(cell(s.failure())).append(" |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s |\n",
                    v.label(o), s.last(), s.first(), s.mbps(), s.rssMb(), s.cpu(), s.brokerCpu(),
                    figure(s.cpuPerMillion(), 1), figure(s.brokerCpuPerMillion(), 1),
                    figure(s.produceRequestsPerMillion(), 0), figure(s.kbPerProduceRequest(), 0),
                    figure(s.fetchRequestsPerMillion(), 0), figure(s.kbPerFetchRequest(), 0),
                    figure(s.sourceProduceRequestsPerMillion(), 0), figure(s.sourceRecordsPerMillion(), 0),
                    ratios(s, raw), cell(s.runs().get(0).verification().summary())));
        }
        md.append('\n');
        md.append("CPU per 1M records, requests and KB per request: over the copy phase (first to last record), from the "
                + "replicator's and both brokers' CPU time and the brokers' request metrics (JMX; n/a where they could not "
                + "be read). Requests count those of every client: the copy, and the replicator's own topics. What is "
                + "written to the source is MirrorMaker 2's offset syncs (one per `offset.lag.max`, 100, records of a "
                + "partition); the raw copy writes none.\n\n");
        firstStart(md, results, raw);
        targets(md, results, raw);
    }

    /** Strait's first start, before the rounds: no class-data archive yet (bin/strait records it at exit). */
    private static void firstStart(StringBuilder md, Results results, Optional<Summary> raw) {
        CopyRun f = results.firstStart;
        if (f == null) {
            return;
        }
        md.append("Strait's **first start**, before the rounds (not in the medians): bin/strait had no class-data "
                + "archive yet and recorded one when this run stopped; every later Strait run of this benchmark maps it. "
                + "The raw copy and MirrorMaker 2 run without an archive of their own, as Kafka's scripts run them. ");
        if (!f.ok()) {
            md.append("It failed: ").append(cell(f.why())).append(".\n\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "First record %.1f s, last record %.1f s, %.1f MB/s", f.first(), f.last(),
                f.copyMBps()));
        if (raw.isPresent() && raw.get().ok()) {
            md.append(String.format(Locale.ROOT, " (%.2f / %.2f × the raw copy's median)", f.first() / raw.get().first(),
                    f.last() / raw.get().last()));
        }
        md.append("; ").append(cell(f.verification().summary())).append(".");
        if (results.aotAssemblySeconds != null) {
            md.append(String.format(Locale.ROOT, " On Java 25 that recording is an AOT configuration, from which the next "
                    + "`bin/strait run` assembles the AOT cache before its JVM starts: %.1f s here, with that JVM's start and "
                    + "its refusal of a missing topology (a `bin/strait run` made for it, not in the medians).",
                    results.aotAssemblySeconds));
        }
        md.append("\n\n");
    }

    private static String ratios(Summary s, Optional<Summary> raw) {
        if (raw.isEmpty() || !raw.get().ok()) {
            return "–";
        }
        Summary r = raw.get();
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", s.last() / r.last(), s.first() / r.first(), s.mbps() / r.mbps());
    }

    private static void targets(StringBuilder md, Results results, Optional<Summary> raw) {
        Optional<Summary> strait = summary(results, Variant.STRAIT, results.options.partitions);
        if (strait.isEmpty()) {
            return;
        }
        md.append("### Targets for Strait's defaults").append(results.options.straitExtra.isEmpty() ? "" : " (measured with overrides)")
                .append("\n\n| target | measured | met |\n|---|---|---|\n");
        boolean haveRatios = raw.isPresent() && raw.get().ok() && strait.get().ok();
        if (haveRatios) {
            Summary s = strait.get();
            Summary r = raw.get();
            target(md, "copy-phase throughput ≥ 0.9 × raw", s.mbps() / r.mbps(), s.mbps() / r.mbps() >= 0.9);
            target(md, "launch to last record ≤ 1.25 × raw", s.last() / r.last(), s.last() / r.last() <= 1.25);
            target(md, "first record ≤ 1.5 × raw", s.first() / r.first(), s.first() / r.first() <= 1.5);
        } else {
            md.append("| throughput, last and first record vs raw | not measured: a run failed or was not run | – |\n");
        }
        Optional<LatencySummary> sl = latencySummary(results, Variant.STRAIT);
        Optional<LatencySummary> ml = latencySummary(results, Variant.MM2);
        if (sl.isPresent()) {
            double p99 = sl.get().median(LatencyRun.Result::p99);
            boolean belowMm2 = ml.isPresent() && p99 <= ml.get().median(LatencyRun.Result::p99);
            String mm2 = ml.map(m -> figure(m.median(LatencyRun.Result::p99), 0) + " ms" + m.rounds()).orElse("not measured");
            md.append(String.format(Locale.ROOT, "| p99 latency ≤ MM2's (%s) and < 250 ms | %s ms%s | %s |\n", mm2,
                    figure(p99, 0), sl.get().rounds(), belowMm2 && p99 < 250 ? "yes" : "**no**"));
        } else if (results.options.runs(BenchOptions.Section.LATENCY)) {
            md.append("| p99 latency ≤ MM2's and < 250 ms | not measured: a latency run failed or was not run | – |\n");
        }
        List<String> failures = new ArrayList<>();
        results.copies.stream().filter(c -> c.variant() == Variant.STRAIT && !c.ok())
                .forEach(c -> failures.add(c.partitions() + " partitions: " + c.why()));
        results.latencies.stream().filter(l -> l.variant() == Variant.STRAIT && !l.ok()).forEach(l -> failures.add("latency: " + l.why()));
        results.links.stream().filter(l -> !l.ok()).forEach(l -> failures.add(l.links() + " links: " + l.why()));
        long verified = results.copies.stream().filter(c -> c.variant() == Variant.STRAIT && c.ok()).count()
                + results.latencies.stream().filter(l -> l.variant() == Variant.STRAIT && l.ok()).count()
                + results.links.stream().filter(LinksRun::ok).count();
        md.append(String.format(Locale.ROOT, "| no loss, no duplicate, same order and partition | %s | %s |\n",
                failures.isEmpty() ? "every Strait target verified (" + verified + " runs)" : cell(String.join("; ", failures)),
                failures.isEmpty() && verified > 0 ? "yes" : "**no**"));
        crashTargets(md, results);
        md.append('\n');
    }

    private static void crashTargets(StringBuilder md, Results results) {
        for (Results.CrashRun c : results.crashes) {
            if (!c.ok()) {
                md.append("| after a crash: nothing lost, at most about 1 s of traffic copied twice | ").append(cell(c.why()))
                        .append(" | **no** |\n");
                continue;
            }
            double seconds = c.secondsCopiedTwice();
            md.append(String.format(Locale.ROOT, "| after a crash (SIGKILL at half of %,d records): nothing lost | "
                    + "%,d lost | yes |\n", c.records(), c.copies().lost()));
            md.append(String.format(Locale.ROOT, "| after a crash: at most about 1 s of traffic copied twice | %s s "
                    + "(%,d records at %,d records/s) | %s |\n", figure(seconds, 2), c.copies().duplicates(),
                    Math.round(c.rateBeforeKill()), seconds <= 1.0 ? "yes" : "**no**"));
        }
    }

    private static void target(StringBuilder md, String what, double ratio, boolean met) {
        md.append(String.format(Locale.ROOT, "| %s | %.2f × | %s |\n", what, ratio, met ? "yes" : "**no**"));
    }

    /** One replicator's latency runs, every round verified; empty if none ran or any failed. */
    private record LatencySummary(List<LatencyResult> runs) {
        double median(ToDoubleFunction<LatencyRun.Result> f) {
            return Report.median(runs.stream().mapToDouble(r -> f.applyAsDouble(r.latency())));
        }

        double peakRssMb() {
            return Report.median(runs.stream().mapToDouble(r -> r.peakRssKib() / 1024.0));
        }

        /** " (rounds: 21, 34, 19)", or empty with one round. */
        String rounds() {
            return runs.size() == 1 ? "" : runs.stream().map(r -> Long.toString(r.latency().p99()))
                    .collect(java.util.stream.Collectors.joining(", ", " (rounds: ", ")"));
        }
    }

    private static Optional<LatencySummary> latencySummary(Results results, Variant variant) {
        List<LatencyResult> runs = results.latencies.stream().filter(l -> l.variant() == variant).toList();
        return runs.isEmpty() || !runs.stream().allMatch(LatencyResult::ok) ? Optional.empty()
                : Optional.of(new LatencySummary(runs));
    }

    private static void latency(StringBuilder md, Results results) {
        BenchOptions o = results.options;
        int rounds = o.latencyRounds();
        md.append(String.format(Locale.ROOT, "## End-to-end latency: %,d records/s for %d s, %d partitions%s\n\n",
                o.latencyRate, o.latencyDuration.toSeconds(), o.partitions,
                rounds > 1 ? " (median of " + rounds + " rounds, run interleaved)" : ""));
        md.append("Producer timestamp on the source to arrival at a consumer of the target, for every record produced in "
                + "the measured window, which starts " + o.latencySettle.toSeconds() + " s after the replicator has caught up "
                + "with what was produced while it started, and no sooner than " + o.latencyWarmup.toSeconds() + " s after its "
                + "launch (the JVM's warm-up: the same for every replicator, however soon it caught up).");
        if (rounds > 1) {
            md.append(" Each figure is the median of the rounds' figures; a replicator with a failed round gets none. "
                    + "Every round is listed below.");
        }
        md.append("\n\n");
        md.append("| replicator | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | mean (ms) | records measured | rate (records/s) "
                + "| caught up after (s) | peak RSS (MB) | verification |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Variant v : o.latencyVariants) {
            List<LatencyResult> runs = results.latencies.stream().filter(l -> l.variant() == v).toList();
            if (runs.isEmpty()) {
                continue;
            }
            Optional<LatencySummary> summary = latencySummary(results, v);
            if (summary.isEmpty()) {
                String why = runs.stream().filter(l -> !l.ok()).map(l -> "round " + l.round() + ": " + l.why())
                        .collect(java.util.stream.Collectors.joining("; "));
                md.append("| ").append(v.label(o)).append(" |").append(" – |".repeat(9)).append(" ").append(cell(why)).append(" |\n");
                continue;
            }
            LatencySummary m = summary.get();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f | %,d | %.0f | %.1f | %d | %s |\n", v.label(o),
                    figure(m.median(LatencyRun.Result::p50), 0), figure(m.median(LatencyRun.Result::p99), 0),
                    figure(m.median(LatencyRun.Result::p999), 0), figure(m.median(LatencyRun.Result::max), 0),
                    m.median(LatencyRun.Result::mean), Math.round(m.median(LatencyRun.Result::samples)),
                    m.median(LatencyRun.Result::achievedRate), m.median(LatencyRun.Result::caughtUpAt),
                    Math.round(m.peakRssMb()),
                    cell(runs.size() == 1 ? m.runs().get(0).verification().summary() : "ok: every round")));
        }
        md.append('\n');
        if (rounds > 1) {
            md.append("| round | replicator | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | mean (ms) | records measured "
                    + "| caught up after (s) | peak RSS (MB) | verification |\n");
            md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (LatencyResult l : results.latencies) {
                if (!l.ok()) {
                    md.append("| ").append(l.round()).append(" | ").append(l.variant().label(o)).append(" |")
                            .append(" – |".repeat(8)).append(" ").append(cell(l.why())).append(" |\n");
                    continue;
                }
                LatencyRun.Result r = l.latency();
                md.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %d | %d | %.1f | %,d | %.1f | %d | %s |\n", l.round(),
                        l.variant().label(o), r.p50(), r.p99(), r.p999(), r.max(), r.mean(), r.samples(), r.caughtUpAt(),
                        Math.round(l.peakRssKib() / 1024.0), cell(l.verification().summary())));
            }
            md.append('\n');
        }
    }

    private static void partitions(StringBuilder md, Results results) {
        BenchOptions o = results.options;
        Set<Integer> counts = new LinkedHashSet<>(o.scalePartitions);
        md.append(String.format(Locale.ROOT, "## Throughput by partition count: %,d records%s\n\n", o.records,
                o.repeat > 1 ? " (medians)" : ""));
        md.append("| partitions | replicator | launch to last record (s) | first record (s) | copy phase (MB/s) | MB/s vs raw "
                + "| peak RSS (MB) | CPU (s) | CPU per 1M records: replicator (s) | brokers (s) "
                + "| Produce requests per 1M records | verification |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int p : counts) {
            Optional<Summary> raw = summary(results, Variant.RAW, p);
            for (Variant v : o.variants) {
                Optional<Summary> maybe = summary(results, v, p);
                if (maybe.isEmpty()) {
                    continue;
                }
                Summary s = maybe.get();
                if (!s.ok()) {
                    md.append("| ").append(p).append(" | ").append(v.label(o)).append(" |").append(" – |".repeat(9))
                            .append(" ").append(cell(s.failure())).append(" |\n");
                    continue;
                }
                String vsRaw = raw.isPresent() && raw.get().ok() ? String.format(Locale.ROOT, "%.2f", s.mbps() / raw.get().mbps()) : "–";
                md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.1f | %s | %.0f | %.1f | %s | %s | %s | %s |\n",
                        p, v.label(o), s.last(), s.first(), s.mbps(), vsRaw, s.rssMb(), s.cpu(), figure(s.cpuPerMillion(), 1),
                        figure(s.brokerCpuPerMillion(), 1), figure(s.produceRequestsPerMillion(), 0),
                        cell(s.runs().get(0).verification().summary())));
            }
        }
        md.append('\n');
    }

    private static void links(StringBuilder md, Results results) {
        BenchOptions o = results.options;
        md.append(String.format(Locale.ROOT, "## Links in one Strait daemon: %,d records per link, %d partitions\n\n",
                o.linkRecords, o.partitions));
        md.append("Every link copies a topic `bench` from a source cluster of its own (S1, S2, ...) into its own target "
                + "topic `Sn.bench` on one target cluster.\n\n");
        md.append("| links | every link copying (s) | every link done (s) | peak RSS (MB) | RSS at the end (MB) | CPU (s) "
                + "| brokers' CPU (s) | CPU per 1M records, start included: Strait (s) | brokers (s) | verification | Strait's log |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (LinksRun l : results.links) {
            if (!l.ok()) {
                md.append("| ").append(l.links()).append(" |").append(" – |".repeat(8)).append(" ").append(cell(l.why()))
                        .append(" | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %d | %d | %.1f | %.1f | %s | %s | ok: %d targets identical to the source | %s |\n",
                    l.links(), l.allFirst(), l.allLast(), Math.round(l.peakRssKib() / 1024.0), Math.round(l.rssKib() / 1024.0),
                    l.cpuSeconds(), l.brokerCpuSeconds(), figure(l.cpuPerMillion(), 0), figure(l.brokerCpuPerMillion(), 0),
                    l.verifications().size(), cell(l.note())));
        }
        md.append('\n');
        md.append("CPU from the daemon's launch until every link has copied everything, divided by the records copied "
                + "(links x records per link): with this few records per link, mostly the cost of starting the links.\n\n");
    }

    private static void crash(StringBuilder md, Results results) {
        BenchOptions o = results.options;
        md.append(String.format(Locale.ROOT, "## A crash: Strait SIGKILLed mid-copy, then started again: %,d records, "
                + "%d partitions\n\n", o.crashRecords, o.partitions));
        md.append("Strait (defaults) copies a loaded topic; once the target holds half of it, the process gets SIGKILL "
                + "(no shutdown hook runs). A new Strait process starts on the same clusters and copies the rest. The "
                + "target is read once it holds every source record and has stopped growing for 3 s. *Copied twice*: "
                + "target records that repeat an earlier copy of the same source record (per partition, by digest). "
                + "*Seconds of traffic*: those duplicates at the copy rate the first process had before the kill."
                + flushInterval(o) + "\n\n");
        md.append("| killed at (s after launch) | records on the target then | once the process was gone "
                + "| copy rate before the kill (records/s) | restarted: copying again after (s) | complete after (s) "
                + "| lost | copied twice | records beyond the source's count | seconds of traffic copied twice | verification |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Results.CrashRun c : results.crashes) {
            if (!c.ok() && c.copies() == null) {
                md.append("|").append(" – |".repeat(10)).append(" ").append(cell(c.why())).append(" |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %.1f | %,d | %,d | %,d | %.1f | %.1f | %,d | %,d | %,d | %s | %s |\n",
                    c.killedAt(), c.recordsAtKill(), c.recordsAfterKill(), Math.round(c.rateBeforeKill()), c.resumedAfter(),
                    c.completeAfter(), c.copies().lost(), c.copies().duplicates(), c.copies().beyond(),
                    figure(c.secondsCopiedTwice(), 2), cell(c.copies().summary())));
        }
        md.append('\n');
        results.crashes.stream().filter(c -> !c.note().isEmpty())
                .forEach(c -> md.append("Strait's log: ").append(cell(c.note())).append("\n\n"));
    }

    private static String flushInterval(BenchOptions o) {
        String ms = StraitSettings.value(o.straitClasspath, "offset.flush.interval.ms");
        return ms.isEmpty() ? "" : " Strait's source offsets are committed every " + ms
                + " ms (`offset.flush.interval.ms` in its reference.conf).";
    }

    private static void steps(StringBuilder md, Results results) {
        if (results.steps.isEmpty()) {
            return;
        }
        md.append("## Time per step\n\n| step | took (s) |\n|---|---:|\n");
        results.steps.forEach(s -> md.append(String.format(Locale.ROOT, "| %s | %.0f |\n", s.what(), s.seconds())));
        md.append('\n');
    }

    private static void everyRun(StringBuilder md, Results results) {
        if (results.copies.isEmpty()) {
            return;
        }
        md.append("## Every copy run\n\n");
        md.append("| partitions | round | replicator | first record (s) | records then | last record (s) | MB/s | peak RSS (MB) "
                + "| CPU (s) | brokers' CPU (s) | per 1M records: CPU (s) | brokers' CPU (s) | Produce requests "
                + "| KB per Produce request | Fetch requests | to the source: Produce requests / records | verification | notes |\n");
        md.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (CopyRun r : results.copies) {
            if (!r.ok()) {
                md.append(String.format(Locale.ROOT, "| %d | %d | %s |%s %s | |\n", r.partitions(),
                        r.round(), r.variant().label(results.options), " – |".repeat(13), cell(r.why())));
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %d | %d | %s | %.1f | %,d | %.1f | %.1f | %.0f | %.1f | %.1f | %s | %s | %s | %s | %s | %s / %s | ok | %s |\n",
                    r.partitions(), r.round(), r.variant().label(results.options), r.first(), r.recordsAtFirst(), r.last(), r.copyMBps(),
                    r.peakRssKib() / 1024.0, r.cpuSeconds(), r.brokerCpuSeconds(), figure(r.cpuPerMillion(), 1),
                    figure(r.brokerCpuPerMillion(), 1), figure(r.produceRequestsPerMillion(), 0),
                    figure(r.bytesPerProduceRequest() / 1e3, 0), figure(r.fetchRequestsPerMillion(), 0),
                    figure(r.sourceProduceRequestsPerMillion(), 0), figure(r.sourceRecordsPerMillion(), 0), cell(r.note())));
        }
        md.append('\n');
    }

    private static void howMeasured(StringBuilder md, BenchOptions o) {
        md.append("## How it is measured\n\n");
        md.append(String.join("\n",
                "- The three replicators run one after another, each in its own JVM, against the same loaded source topic "
                        + "`bench` and a fresh target cluster; all write `A.bench`. Between runs, everything a replicator left "
                        + "on the source (MirrorMaker 2's heartbeats, offset syncs, internal topics, groups) is deleted.",
                "- **raw copy**: one thread; one consumer assigned every partition, one producer writing each record to "
                        + "the same partition number with its key, value, headers and timestamp. Its own best settings, "
                        + "not Strait's: " + rawSettings(o) + ". The ceiling.",
                "- **MirrorMaker 2 (stock)**: `org.apache.kafka.connect.mirror.MirrorMaker mm2.properties` with `A->B` "
                        + "enabled, `B->A` disabled and replication factors of 1 for its topics: nothing else. Logs at INFO "
                        + "like Kafka's sample configuration.",
                "- **Strait (defaults)**: `io.strait.cli.StraitCommand run topology.conf` with one `link` flow A->B and "
                        + "only the cluster addresses and `http.port = 0`; the class path and log settings of `bin/strait`.",
                "- Times count from the launch of the replicator's JVM. The benchmark reads the target topic's end "
                        + "offsets every " + o.pollInterval.toMillis() + " ms: *first record* is the first read that sees "
                        + "a record, *last record* the first that sees as many records as the source holds.",
                "- *Copy phase MB/s*: payload bytes (key, value, headers; 10^6 bytes per MB) of the records that arrived "
                        + "between those two reads, divided by the time between them.",
                "- *Peak RSS*: `VmHWM` of the replicator's process when its last record arrived. *CPU*: its user plus "
                        + "system time until then; *brokers' CPU*: that of the source and target brokers over the same time.",
                "- *Per 1M records* (copy phase): the CPU time of the replicator and of both brokers between the read that "
                        + "saw the first record and the one that saw the last, divided by the records that arrived in "
                        + "between. *Produce requests* and *KB per Produce request*: the target broker's "
                        + "`kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce` count (all versions) and "
                        + "`BrokerTopicMetrics` `BytesInPerSec` (record batches appended, as sent) over the same time; "
                        + "*Fetch requests* and *KB per Fetch response*: the source broker's `request=Fetch` count and "
                        + "`BytesOutPerSec`; *written to the source*: the source broker's `request=Produce` count and "
                        + "`MessagesInPerSec` (MirrorMaker 2's offset syncs, in their default location). The benchmark reads "
                        + "them over JMX (it attaches to each broker's JVM); n/a where that failed.",
                "- *Verification*: after the replicator stopped, the source and the target topic are read completely; "
                        + "every record's key, value, headers and timestamp are hashed; per partition number the sequences "
                        + "must be identical (same count, same order, nothing lost, nothing twice). A replicator that fails "
                        + "gets no figure.",
                "- The machine's cores run the brokers, the replicator and the benchmark's own reader at once: the copy is "
                        + "CPU-bound, and figures vary by tens of percent between runs (`--repeat` interleaves rounds and "
                        + "reports medians). Compare variants side by side only.",
                "- Logs, configurations and (with `--jfr`) profiles of every process are kept in `" + o.workDir + "`.",
                ""));
        md.append('\n');
    }

    private static Optional<Summary> summary(Results results, Variant variant, int partitions) {
        List<CopyRun> runs = results.copies.stream()
                .filter(r -> r.variant() == variant && r.partitions() == partitions).toList();
        if (runs.isEmpty()) {
            return Optional.empty();
        }
        Optional<CopyRun> failed = runs.stream().filter(r -> !r.ok()).findFirst();
        return Optional.of(new Summary(variant, runs, failed.map(r -> (runs.size() > 1 ? "round " + r.round() + ": " : "") + r.why()).orElse(null)));
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    /** One line, no pipes, not too long: fit for a table cell. */
    private static String cell(String text) {
        if (text == null) {
            return "";
        }
        String line = Arrays.stream(text.split("\n")).filter(s -> !s.isBlank()).findFirst().orElse("").trim();
        line = line.replace("|", "\\|");
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }
}
