package io.strait.bench;

import io.strait.bench.BenchOptions.Section;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The side-by-side benchmark: a raw partition-preserving copy, stock MirrorMaker 2 and Strait,
 * one after another on the same machine and the same data, each in its own JVM, each verified
 * record by record. See bench/README.md.
 */
public final class Bench {

    static final String TOPIC = "bench";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final BenchOptions options;
    private final Results results;
    private final BenchRecords shape;
    private final String classpath = System.getProperty("java.class.path");

    private Bench(BenchOptions options) {
        this.options = options;
        this.results = new Results(options);
        this.shape = new BenchRecords(options.recordSize, options.headers);
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println(e.getMessage());
            }
            System.err.println(BenchOptions.USAGE);
            System.exit(e.getMessage() == null ? 0 : 1);
            return;
        }
        System.exit(new Bench(options).run());
    }

    private int run() throws Exception {
        long begin = System.nanoTime();
        Files.createDirectories(options.workDir);
        results.recordBytes = shape.payloadBytes();
        results.loadAverageAtStart = Machine.loadAverage();
        log("Work directory %s (logs and configurations of every process)", options.workDir.toAbsolutePath());
        log("Load average at start: %s", results.loadAverageAtStart);
        try {
            if (options.runs(Section.THROUGHPUT) || options.runs(Section.PARTITIONS)) {
                copySections();
            }
            if (options.runs(Section.LATENCY)) {
                latencySection();
            }
            if (options.runs(Section.LINKS)) {
                linksSection();
            }
            if (options.runs(Section.CRASH)) {
                crashSection();
            }
        } catch (Exception e) {
            log("Benchmark aborted: %s", e);
            e.printStackTrace();
            results.errors.add("Aborted: " + e);
        }
        results.elapsedSeconds = (System.nanoTime() - begin) / 1e9;
        String report = Report.markdown(results);
        if (options.out.getParent() != null) {
            Files.createDirectories(options.out.getParent());
        }
        Files.writeString(options.out, report);
        Files.writeString(options.workDir.resolve("RESULTS.md"), report);
        System.out.println();
        System.out.println(report);
        log("Wrote %s in %.0f s", options.out, results.elapsedSeconds);
        boolean allVerified = results.copies.stream().allMatch(Results.CopyRun::ok)
                && results.latencies.stream().allMatch(Results.LatencyResult::ok)
                && results.links.stream().allMatch(Results.LinksRun::ok)
                && results.crashes.stream().allMatch(Results.CrashRun::ok)
                && results.errors.isEmpty();
        return allVerified ? 0 : 3;
    }

    // ---- throughput, and throughput by partition count ----

    private void copySections() throws Exception {
        List<Integer> counts = new ArrayList<>();
        if (options.runs(Section.THROUGHPUT)) {
            counts.add(options.partitions);
        }
        if (options.runs(Section.PARTITIONS)) {
            options.scalePartitions.stream().filter(p -> !counts.contains(p)).forEach(counts::add);
        }
        for (int partitions : counts) {
            log("== Throughput: %,d records of %d B, %d partitions, %d round(s) of %s", options.records,
                    options.recordSize, partitions, options.repeat, options.variants);
            long setupBegin = System.nanoTime();
            try (ChildBroker source = ChildBroker.start("source-" + partitions + "p", options.workDir, classpath,
                    options.brokerJvmOptions())) {
                source.createTopic(TOPIC, partitions);
                shape.load(source.bootstrapServers(), TOPIC, options.records, partitions);
                BenchRecords.TopicContent content = BenchRecords.read(source.bootstrapServers(), TOPIC, Duration.ofMinutes(10));
                if (content.records() != options.records) {
                    throw new IllegalStateException("the source holds " + content.records() + " records, not " + options.records);
                }
                step(partitions + " partitions: source broker, load and read", setupBegin);
                if (options.variants.contains(Variant.STRAIT) && results.firstStart == null) {
                    firstStart(source, content, partitions);
                }
                for (int round = 1; round <= options.repeat; round++) {
                    long roundBegin = System.nanoTime();
                    for (Variant variant : options.variants) {
                        Results.CopyRun run = copyRun(variant, source, content, partitions, round);
                        results.copies.add(run);
                        log("  %s: %s", variant.label(options), run.ok()
                                ? String.format("first %.1f s, last %.1f s, %.1f MB/s, peak RSS %d MB, CPU %.1f s; "
                                                + "per 1M records in the copy phase: CPU %s s, brokers' CPU %s s, "
                                                + "%s Produce requests of %s KB; to the source %s requests, %s records; %s",
                                run.first(), run.last(), run.copyMBps(), run.peakRssKib() / 1024, run.cpuSeconds(),
                                Report.figure(run.cpuPerMillion(), 1), Report.figure(run.brokerCpuPerMillion(), 1),
                                Report.figure(run.produceRequestsPerMillion(), 0),
                                Report.figure(run.bytesPerProduceRequest() / 1e3, 0),
                                Report.figure(run.sourceProduceRequestsPerMillion(), 0),
                                Report.figure(run.sourceRecordsPerMillion(), 0), run.verification().summary())
                                : "FAILED " + run.why());
                        source.keepOnly(Set.of(TOPIC));
                    }
                    step(partitions + " partitions: round " + round + " (" + options.variants.size() + " runs)", roundBegin);
                }
            }
        }
    }

    /**
     * Strait's first start after installation: no class-data archive yet, so bin/strait records one
     * when this run exits, and every later Strait of the benchmark maps it. Reported on its own, not
     * in the medians.
     */
    private void firstStart(ChildBroker source, BenchRecords.TopicContent content, int partitions) throws Exception {
        long begin = System.nanoTime();
        log("  Strait's first start (bin/strait records its class-data archive at exit; not in the medians)");
        Results.CopyRun run = copyRun(Variant.STRAIT, source, content, partitions, 0);
        results.firstStart = run;
        boolean recorded;
        try (var files = Files.list(Variant.cdsDirectory(options))) {
            // Recorded, and marked by the daemon as a run that replicated: the next start maps it.
            recorded = files.anyMatch(f -> f.getFileName().toString().endsWith(".recording.ok"));
        } catch (java.io.IOException e) {
            recorded = false;
        }
        log("  first start: %s; archive %s", run.ok() ? String.format("first %.1f s, last %.1f s, %.1f MB/s",
                run.first(), run.last(), run.copyMBps()) : "FAILED " + run.why(), recorded ? "recorded" : "NOT recorded");
        if (!recorded) {
            results.errors.add("Strait's first run recorded no class-data archive in " + Variant.cdsDirectory(options));
        } else if (Runtime.version().feature() >= 25) {
            // An AOT configuration: the next bin/strait assembles the cache before its JVM starts, a few
            // seconds that would fall into the first measured round. Done here, and reported.
            Path log = options.workDir.resolve(String.format("copy-%dp-r0-strait", partitions)).resolve("assemble.log");
            results.aotAssemblySeconds = Variant.assembleArchive(options, log);
            boolean cache;
            try (var files = Files.list(Variant.cdsDirectory(options))) {
                cache = files.anyMatch(f -> f.getFileName().toString().matches("strait-\\d+\\.aot"));
            }
            log("  AOT cache %s by bin/strait in %.1f s", cache ? "assembled" : "NOT assembled", results.aotAssemblySeconds);
            if (!cache) {
                results.errors.add("bin/strait assembled no AOT cache from the first run's recording; see " + log);
            }
        }
        source.keepOnly(Set.of(TOPIC));
        step("Strait's first start", begin);
    }

    private Results.CopyRun copyRun(Variant variant, ChildBroker source, BenchRecords.TopicContent content,
                                    int partitions, int round) throws Exception {
        String id = String.format("copy-%dp-r%d-%s", partitions, round, variant.name().toLowerCase(Locale.ROOT));
        Path runDir = options.workDir.resolve(id);
        String targetTopic = Variant.targetTopic(TOPIC);
        log("  %s (round %d): starting a fresh target cluster", variant.label(options), round);
        try (ChildBroker target = ChildBroker.start("target-" + id, options.workDir, classpath, options.brokerJvmOptions())) {
            double brokerCpuBefore = brokerCpu(source, target);
            ChildJvm child = variant.launch(options, runDir, source.bootstrapServers(), target.bootstrapServers(), TOPIC);
            try {
                Results.Usage[] atFirst = new Results.Usage[1];
                ProgressWatcher.Outcome outcome = ProgressWatcher.watch(target.admin(), Map.of(targetTopic, content.records()),
                        child, options.pollInterval, options.variantTimeout, () -> atFirst[0] = usage(child, source, target));
                Results.Usage atLast = usage(child, source, target);
                long peak = child.peakRssKib().orElse(-1);
                double cpu = atLast.replicatorCpu();
                double brokerCpu = atLast.brokerCpu() - brokerCpuBefore;
                Results.Usage copyPhase = atFirst[0] == null ? null : atLast.minus(atFirst[0]);
                stop(child);
                String note = Milestones.of(variant, child);
                ProgressWatcher.Progress p = outcome.topics().get(targetTopic);
                if (!outcome.complete()) {
                    return new Results.CopyRun(variant, partitions, round, outcome.failure(), null, p.first, p.recordsAtFirst,
                            p.last, p.records, content.bytes(), peak, cpu, brokerCpu, copyPhase, note);
                }
                Verification verification = Verification.compare(content,
                        BenchRecords.read(target.bootstrapServers(), targetTopic, Duration.ofMinutes(10)));
                return new Results.CopyRun(variant, partitions, round, null, verification, p.first, p.recordsAtFirst,
                        p.last, content.records(), content.bytes(), peak, cpu, brokerCpu, copyPhase, note);
            } finally {
                child.close();
            }
        } catch (Exception e) {
            log("  %s failed: %s", variant.label(options), e);
            return new Results.CopyRun(variant, partitions, round, e.toString(), null, -1, 0, -1, 0, 0, -1, 0, 0, null, "");
        }
    }

    // ---- latency ----

    private void latencySection() throws Exception {
        int rounds = options.latencyRounds();
        log("== Latency: %,d records/s, %d s measured, %d partitions, %s, %d round%s", options.latencyRate,
                options.latencyDuration.toSeconds(), options.partitions, options.latencyVariants, rounds, rounds == 1 ? "" : "s");
        try (ChildBroker source = ChildBroker.start("latency-source", options.workDir, classpath, options.brokerJvmOptions())) {
            // Rounds interleaved, as the copy runs: a slow minute of the machine falls on every replicator alike.
            for (int round = 1; round <= rounds; round++) {
                for (Variant variant : options.latencyVariants) {
                    results.latencies.add(latencyRun(source, variant, round, rounds));
                }
            }
        }
    }

    private Results.LatencyResult latencyRun(ChildBroker source, Variant variant, int round, int rounds) throws Exception {
        String id = "latency-" + (rounds == 1 ? "" : "r" + round + "-") + variant.name().toLowerCase(Locale.ROOT);
        Path runDir = options.workDir.resolve(id);
        String targetTopic = Variant.targetTopic(TOPIC);
        source.createTopic(TOPIC, options.partitions);
        Results.LatencyResult result;
        try (ChildBroker target = ChildBroker.start("target-" + id, options.workDir, classpath,
                options.brokerJvmOptions())) {
            ChildJvm child = variant.launch(options, runDir, source.bootstrapServers(), target.bootstrapServers(), TOPIC);
            try {
                LatencyRun.Result latency = LatencyRun.run(options, shape, source, target, child, TOPIC, targetTopic);
                long peak = child.peakRssKib().orElse(-1);
                stop(child);
                Verification verification = Verification.compare(
                        BenchRecords.read(source.bootstrapServers(), TOPIC, Duration.ofMinutes(10)),
                        BenchRecords.read(target.bootstrapServers(), targetTopic, Duration.ofMinutes(10)));
                result = new Results.LatencyResult(variant, round, null, verification, latency, peak);
            } finally {
                child.close();
            }
        } catch (Exception e) {
            log("  %s failed: %s", variant.label(options), e);
            result = new Results.LatencyResult(variant, round, e.toString(), null, null, -1);
        }
        if (result.ok()) {
            LatencyRun.Result l = result.latency();
            log("  round %d, %s: p50 %d ms, p99 %d ms, max %d ms over %,d records; %s", round, variant.label(options),
                    l.p50(), l.p99(), l.max(), l.samples(), result.verification().summary());
        } else {
            log("  round %d, %s: FAILED %s", round, variant.label(options), result.why());
        }
        source.keepOnly(Set.of());
        return result;
    }

    // ---- links in one daemon ----

    private void linksSection() throws Exception {
        log("== Links: Strait with %s links in one daemon, %,d records each", options.linkCounts, options.linkRecords);
        // One source cluster per link: Strait refuses two aliases of one cluster (a link between them
        // would copy a cluster into itself), so each link of the fan-in has a broker of its own.
        int most = options.linkCounts.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<ChildBroker> sources = new ArrayList<>();
        List<BenchRecords.TopicContent> contents = new ArrayList<>();
        java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<ChildBroker>> started = new ArrayList<>();
            for (int i = 1; i <= most; i++) {
                String name = "links-source-" + i;
                started.add(starter.submit(() -> ChildBroker.start(name, options.workDir, classpath, LINK_SOURCE_JVM)));
            }
            for (java.util.concurrent.Future<ChildBroker> broker : started) {
                sources.add(broker.get());
            }
            for (ChildBroker source : sources) {
                source.createTopic(TOPIC, options.partitions);
                shape.load(source.bootstrapServers(), TOPIC, options.linkRecords, options.partitions);
                contents.add(BenchRecords.read(source.bootstrapServers(), TOPIC, Duration.ofMinutes(5)));
            }
            for (int links : options.linkCounts) {
                results.links.add(linksRun(sources.subList(0, links), contents.subList(0, links), links));
                for (ChildBroker source : sources.subList(0, links)) {
                    source.keepOnly(Set.of(TOPIC));
                }
            }
        } finally {
            starter.shutdownNow();
            for (ChildBroker source : sources) {
                try {
                    source.close();
                } catch (Exception e) {
                    log("  closing a links source broker failed: %s", e);
                }
            }
        }
    }

    /** Source brokers of the links section: idle but for 10,000 records, so a small heap. */
    private static final List<String> LINK_SOURCE_JVM = List.of("-Xms256m", "-Xmx256m", "-XX:+UseG1GC");

    private Results.LinksRun linksRun(List<ChildBroker> sources, List<BenchRecords.TopicContent> contents, int links) {
        String id = "links-" + links;
        Path runDir = options.workDir.resolve(id);
        Map<String, Long> expected = new LinkedHashMap<>();
        long records = 0;
        for (int i = 1; i <= links; i++) {
            expected.put("S" + i + "." + TOPIC, contents.get(i - 1).records());
            records += contents.get(i - 1).records();
        }
        List<String> bootstraps = sources.stream().map(ChildBroker::bootstrapServers).toList();
        try (ChildBroker target = ChildBroker.start("target-" + id, options.workDir, classpath, options.brokerJvmOptions())) {
            double brokerCpuBefore = brokerCpu(sources, target);
            ChildJvm child = Variant.launchStraitLinks(options, runDir, bootstraps, target.bootstrapServers(), links);
            try {
                ProgressWatcher.Outcome outcome = ProgressWatcher.watch(target.admin(), expected, child,
                        options.pollInterval, options.variantTimeout, () -> { });
                long peak = child.peakRssKib().orElse(-1);
                long rss = child.rssKib().orElse(-1);
                double cpu = seconds(child.cpu());
                double brokerCpu = brokerCpu(sources, target) - brokerCpuBefore;
                stop(child);
                String note = Milestones.of(Variant.STRAIT, child);
                if (!outcome.complete()) {
                    return new Results.LinksRun(links, outcome.failure(), List.of(), outcome.first(), -1, peak, rss, cpu,
                            brokerCpu, records, note);
                }
                List<Verification> verifications = new ArrayList<>();
                int i = 0;
                for (String topic : expected.keySet()) {
                    verifications.add(Verification.compare(contents.get(i++),
                            BenchRecords.read(target.bootstrapServers(), topic, Duration.ofMinutes(5))));
                }
                Results.LinksRun run = new Results.LinksRun(links, null, verifications, outcome.first(), outcome.last(),
                        peak, rss, cpu, brokerCpu, records, note);
                log("  %d links: all copying %.1f s, all copied %.1f s after launch, peak RSS %d MB; %s", links,
                        run.allFirst(), run.allLast(), peak / 1024, run.ok() ? "verified" : "FAILED " + run.why());
                return run;
            } finally {
                child.close();
            }
        } catch (Exception e) {
            log("  %d links failed: %s", links, e);
            return new Results.LinksRun(links, e.toString(), List.of(), -1, -1, -1, -1, 0, 0, records, "");
        }
    }

    // ---- a crash: SIGKILL mid-copy, then a restart ----

    private void crashSection() throws Exception {
        log("== Crash: Strait SIGKILLed once about half of %,d records have arrived, then started again; %d partitions",
                options.crashRecords, options.partitions);
        long begin = System.nanoTime();
        try (ChildBroker source = ChildBroker.start("crash-source", options.workDir, classpath, options.brokerJvmOptions())) {
            source.createTopic(TOPIC, options.partitions);
            shape.load(source.bootstrapServers(), TOPIC, options.crashRecords, options.partitions);
            BenchRecords.TopicContent content = BenchRecords.read(source.bootstrapServers(), TOPIC, Duration.ofMinutes(10));
            Results.CrashRun run = crashRun(source, content);
            results.crashes.add(run);
            log("  crash: %s", run.ok()
                    ? String.format("killed %.1f s after launch with %,d records on the target (%,d once it was gone); "
                                    + "%,d records/s before; restarted: copying again %.1f s, complete %.1f s after its launch; "
                                    + "%s; %.2f s of traffic copied twice",
                            run.killedAt(), run.recordsAtKill(), run.recordsAfterKill(), Math.round(run.rateBeforeKill()),
                            run.resumedAfter(), run.completeAfter(), run.copies().summary(), run.secondsCopiedTwice())
                    : "FAILED " + run.why());
        }
        step("crash: source, target, two Strait runs and verification", begin);
    }

    private Results.CrashRun crashRun(ChildBroker source, BenchRecords.TopicContent content) {
        String targetTopic = Variant.targetTopic(TOPIC);
        long n = content.records();
        int partitions = options.partitions;
        try (ChildBroker target = ChildBroker.start("target-crash", options.workDir, classpath, options.brokerJvmOptions())) {
            ProgressWatcher.Progress p;
            long afterKill;
            String note;
            ChildJvm killed = Variant.STRAIT.launch(options, options.workDir.resolve("crash-1-killed"),
                    source.bootstrapServers(), target.bootstrapServers(), TOPIC);
            try {
                ProgressWatcher.Outcome half = ProgressWatcher.watch(target.admin(), Map.of(targetTopic, n / 2), killed,
                        options.pollInterval, options.variantTimeout, () -> { });
                if (!half.complete()) {
                    return crashFailure(partitions, n, "before the kill: " + half.failure());
                }
                killed.kill();
                p = half.topics().get(targetTopic);
                note = "first run: " + Milestones.of(Variant.STRAIT, killed);
                // Produce requests the broker had received before the process died may still be appended.
                afterKill = awaitStable(target.admin(), targetTopic, Duration.ofSeconds(1), killed.launchNanos
                        + options.variantTimeout.toNanos(), null).records();
            } finally {
                killed.close();
            }
            ChildJvm restarted = Variant.STRAIT.launch(options, options.workDir.resolve("crash-2-restarted"),
                    source.bootstrapServers(), target.bootstrapServers(), TOPIC);
            try {
                ProgressWatcher.Outcome resumed = ProgressWatcher.watch(target.admin(), Map.of(targetTopic, afterKill + 1),
                        restarted, options.pollInterval, options.variantTimeout, () -> { });
                if (!resumed.complete()) {
                    return crashFailure(partitions, n, "after the restart: " + resumed.failure());
                }
                double resumedAfter = resumed.topics().get(targetTopic).last;
                ProgressWatcher.Outcome full = ProgressWatcher.watch(target.admin(), Map.of(targetTopic, n), restarted,
                        options.pollInterval, options.variantTimeout, () -> { });
                if (!full.complete()) {
                    return crashFailure(partitions, n, "after the restart: " + full.failure());
                }
                // The target's count includes the copies made twice: everything has arrived once it stops
                // growing and the source's every record is there. Look again, longer, while records are missing.
                long deadline = restarted.launchNanos + options.variantTimeout.toNanos();
                Verification.Copies copies = null;
                Stable stable = null;
                for (Duration quiet : List.of(Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(30))) {
                    Stable now = awaitStable(target.admin(), targetTopic, quiet, deadline, restarted);
                    stable = stable != null && stable.records() == now.records() ? stable : now;
                    copies = Verification.countCopies(content,
                            BenchRecords.read(target.bootstrapServers(), targetTopic, Duration.ofMinutes(10)));
                    if (copies.lost() == 0 || System.nanoTime() > deadline) {
                        break;
                    }
                }
                stop(restarted);
                note += "; restart: " + Milestones.of(Variant.STRAIT, restarted);
                return new Results.CrashRun(partitions, n, null, copies, p.first, p.recordsAtFirst, p.last, p.records,
                        afterKill, resumedAfter, stable.since(), note);
            } finally {
                restarted.close();
            }
        } catch (Exception e) {
            log("  crash run failed: %s", e);
            return crashFailure(partitions, n, e.toString());
        }
    }

    private static Results.CrashRun crashFailure(int partitions, long records, String why) {
        return new Results.CrashRun(partitions, records, why, null, -1, 0, -1, 0, 0, -1, -1, "");
    }

    /** A topic's record count that did not change for a while, and since when (seconds after the replicator's launch). */
    private record Stable(long records, double since) {
    }

    /**
     * Reads the topic's end offsets every poll interval until their sum has not changed for
     * {@code quiet}, or the deadline passes; {@code replicator} (if any) gives the clock.
     */
    private Stable awaitStable(org.apache.kafka.clients.admin.Admin admin, String topic, Duration quiet, long deadline,
                               ChildJvm replicator) throws Exception {
        long last = -1;
        long changedAt = System.nanoTime();
        double since = replicator == null ? 0 : replicator.secondsSinceLaunch();
        while (true) {
            long records;
            try {
                records = ProgressWatcher.records(admin, topic);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(options.pollInterval.toMillis());
                continue; // a leader being elected: read again
            }
            if (records != last) {
                last = records;
                changedAt = System.nanoTime();
                since = replicator == null ? 0 : replicator.secondsSinceLaunch();
            } else if (System.nanoTime() - changedAt >= quiet.toNanos() || System.nanoTime() > deadline) {
                return new Stable(last, since);
            }
            Thread.sleep(options.pollInterval.toMillis());
        }
    }

    // ---- helpers ----

    /** The replicator's and both brokers' CPU so far, and the brokers' request counters. */
    private static Results.Usage usage(ChildJvm replicator, ChildBroker source, ChildBroker target) {
        return new Results.Usage(seconds(replicator.cpu()), brokerCpu(source, target), source.counts(), target.counts());
    }

    private static double brokerCpu(List<ChildBroker> sources, ChildBroker target) {
        double cpu = seconds(target.jvm().cpu());
        for (ChildBroker source : sources) {
            cpu += seconds(source.jvm().cpu());
        }
        return cpu;
    }

    private static double brokerCpu(ChildBroker source, ChildBroker target) {
        return seconds(source.jvm().cpu()) + seconds(target.jvm().cpu());
    }

    /** Notes (and logs) how long a step took since {@code beginNanos}. */
    private void step(String what, long beginNanos) {
        double took = (System.nanoTime() - beginNanos) / 1e9;
        results.steps.add(new Results.Step(what, took));
        log("  (%s took %.0f s)", what, took);
    }

    private static void stop(ChildJvm child) throws InterruptedException {
        var stopped = child.stop(Duration.ofSeconds(40));
        if (!stopped.getKey()) {
            log("  %s did not stop within 40 s of SIGTERM; killed", child.name);
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    static void log(String format, Object... args) {
        System.out.println("[" + LocalTime.now().format(CLOCK) + "] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
