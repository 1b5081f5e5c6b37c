package io.strait.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one benchmark run does. Every setting has a flag; {@code --quick} changes the defaults of
 * the sizes, and flags given after it still win.
 */
final class BenchOptions {

    enum Section { THROUGHPUT, LATENCY, PARTITIONS, LINKS, CRASH }

    long records = 1_000_000;
    int recordSize = 512;
    int headers = 3;
    int partitions = 8;
    int repeat = 1;
    List<Variant> variants = List.of(Variant.RAW, Variant.MM2, Variant.STRAIT);
    Set<Section> sections = new LinkedHashSet<>(List.of(Section.values()));
    List<Integer> scalePartitions = List.of(1, 8, 64);
    int latencyRate = 5_000;
    Duration latencyDuration = Duration.ofSeconds(30);
    /** Rounds of the latency runs, interleaved; 0: as many as {@link #repeat}. */
    int latencyRounds;
    Duration latencySettle = Duration.ofSeconds(5);
    /** The latency window starts no sooner than this after the replicator's launch. */
    Duration latencyWarmup = Duration.ofSeconds(30);
    List<Variant> latencyVariants = List.of(Variant.RAW, Variant.MM2, Variant.STRAIT);
    List<Integer> linkCounts = List.of(1, 4, 16);
    long linkRecords = 10_000;
    /** Records of the crash section; -1: as many as {@code records}. */
    long crashRecords = -1;
    Duration pollInterval = Duration.ofMillis(100);
    Duration variantTimeout = Duration.ofMinutes(15);
    /** JVM options of every replicator (raw copy, MirrorMaker 2, Strait): the same for all. */
    String replicatorJvmOptions = "-Xms256m -Xmx2g";
    /** More JVM options of the raw copy alone (experiments: an AOT cache of its own, say); none by default. */
    String rawJvmOptions = "";
    /** JVM options of each child broker: those of Kafka's kafka-server-start.sh. */
    String brokerJvmOptions = "-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35"
            + " -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true";
    boolean jfr;
    boolean quick;
    Path out = Path.of("bench", "RESULTS.md");
    Path workDir = Path.of("bench", "target", "work",
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    String straitClasspath;
    /** The checkout whose bin/strait runs Strait (bench/run.sh sets it). */
    Path straitHome;
    String command = "bench/run.sh";
    String revision = "unknown";
    /** HOCON appended to Strait's topology (experiments with its settings); empty: Strait's defaults. */
    String straitExtra = "";

    static final String USAGE = String.join("\n",
            "bench/run.sh [options]   (all sizes configurable; defaults in brackets)",
            "  --quick                  100,000 records, 15 s latency, 5,000 records per link: a few minutes",
            "  --records N              records loaded into the source [1000000]",
            "  --size BYTES             value size of each record [512]",
            "  --headers N              headers per record (8-byte values) [3]",
            "  --partitions N           partitions of the main throughput run and the latency run [8]",
            "  --repeat N               rounds of every throughput run, interleaved; tables give medians [1]",
            "  --variants LIST          of raw,mm2,strait [raw,mm2,strait]",
            "  --sections LIST          of throughput,latency,partitions,links,crash [all; --quick: all but crash]",
            "  --scale-partitions LIST  partition counts of the partitions section [1,8,64]",
            "  --latency-rate N         records per second during the latency run [5000]",
            "  --latency-seconds N      length of the measured latency window of each round [30]",
            "  --latency-rounds N       rounds of the latency runs, interleaved; tables give medians [--repeat]",
            "  --latency-warmup N       seconds after a replicator's launch before its window may start [30]",
            "  --latency-variants LIST  [raw,mm2,strait] (raw for reference)",
            "  --links LIST             link counts of the links section [1,4,16]",
            "  --link-records N         records each link copies in the links section [10000]",
            "  --crash-records N        records of the crash section (Strait SIGKILLed at half, restarted) [--records]",
            "  --poll-ms N              how often the target's end offsets are read [100]",
            "  --timeout-seconds N      most a replicator may take to copy everything [900]",
            "  --jvm-opts 'OPTS'        JVM options of every replicator [-Xms256m -Xmx2g]",
            "  --raw-jvm-opts 'OPTS'    more JVM options of the raw copy alone, after --jvm-opts [none]",
            "  --broker-jvm-opts 'OPTS' JVM options of the child brokers [kafka-server-start.sh's]",
            "  --strait-set 'HOCON'     append to Strait's topology, e.g. 'strait.flow-defaults.tasks = 1'",
            "                           (repeatable; for experiments: the report then says Strait ran with overrides)",
            "  --jfr                    record a JFR profile of every replicator (into the work directory)",
            "  --out FILE               the results file [bench/RESULTS.md]",
            "  --work-dir DIR           logs, configs and broker data [bench/target/work/<time>]");

    /** Rounds of the latency runs: {@code --latency-rounds}, else {@code --repeat}. */
    int latencyRounds() {
        return latencyRounds > 0 ? latencyRounds : repeat;
    }

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        // --quick first, so that explicit sizes given with it still win.
        if (Arrays.asList(args).contains("--quick")) {
            o.quick = true;
            o.records = 100_000;
            o.latencyDuration = Duration.ofSeconds(15);
            o.latencySettle = Duration.ofSeconds(2);
            o.latencyWarmup = Duration.ofSeconds(10);
            o.linkRecords = 5_000;
            o.variantTimeout = Duration.ofMinutes(5);
            // The crash section only when asked for: --quick --sections crash.
            o.sections.remove(Section.CRASH);
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> { }
                case "--jfr" -> o.jfr = true;
                case "--records" -> o.records = positiveLong(a, args, ++i);
                case "--size" -> o.recordSize = (int) positiveLong(a, args, ++i);
                case "--headers" -> o.headers = (int) nonNegativeLong(a, args, ++i);
                case "--partitions" -> o.partitions = (int) positiveLong(a, args, ++i);
                case "--repeat" -> o.repeat = (int) positiveLong(a, args, ++i);
                case "--variants" -> o.variants = variants(a, value(a, args, ++i));
                case "--latency-variants" -> o.latencyVariants = variants(a, value(a, args, ++i));
                case "--sections" -> o.sections = sections(a, value(a, args, ++i));
                case "--scale-partitions" -> o.scalePartitions = ints(a, value(a, args, ++i));
                case "--latency-rate" -> o.latencyRate = (int) positiveLong(a, args, ++i);
                case "--latency-seconds" -> o.latencyDuration = Duration.ofSeconds(positiveLong(a, args, ++i));
                case "--latency-rounds" -> o.latencyRounds = (int) positiveLong(a, args, ++i);
                case "--latency-warmup" -> o.latencyWarmup = Duration.ofSeconds(nonNegativeLong(a, args, ++i));
                case "--links" -> o.linkCounts = ints(a, value(a, args, ++i));
                case "--link-records" -> o.linkRecords = positiveLong(a, args, ++i);
                case "--crash-records" -> o.crashRecords = positiveLong(a, args, ++i);
                case "--poll-ms" -> o.pollInterval = Duration.ofMillis(positiveLong(a, args, ++i));
                case "--timeout-seconds" -> o.variantTimeout = Duration.ofSeconds(positiveLong(a, args, ++i));
                case "--jvm-opts" -> o.replicatorJvmOptions = value(a, args, ++i);
                case "--broker-jvm-opts" -> o.brokerJvmOptions = value(a, args, ++i);
                case "--raw-jvm-opts" -> o.rawJvmOptions = value(a, args, ++i);
                case "--out" -> o.out = Path.of(value(a, args, ++i));
                case "--work-dir" -> o.workDir = Path.of(value(a, args, ++i));
                case "--strait-classpath" -> o.straitClasspath = value(a, args, ++i);
                case "--strait-home" -> o.straitHome = Path.of(value(a, args, ++i));
                case "--command" -> o.command = value(a, args, ++i);
                case "--revision" -> o.revision = value(a, args, ++i);
                case "--strait-set" -> o.straitExtra += (o.straitExtra.isEmpty() ? "" : "\n") + value(a, args, ++i);
                case "-h", "--help" -> throw new UsageException(null);
                default -> throw new UsageException("Unknown option " + a);
            }
        }
        if (o.crashRecords < 0) {
            o.crashRecords = o.records;
        }
        if ((o.straitClasspath == null || o.straitHome == null) && o.needsStrait()) {
            throw new UsageException("--strait-classpath and --strait-home are required (bench/run.sh sets them)");
        }
        return o;
    }

    boolean runs(Section section) {
        return sections.contains(section);
    }

    boolean needsStrait() {
        return (runs(Section.THROUGHPUT) || runs(Section.PARTITIONS)) && variants.contains(Variant.STRAIT)
                || runs(Section.LATENCY) && latencyVariants.contains(Variant.STRAIT)
                || runs(Section.LINKS) || runs(Section.CRASH);
    }

    List<String> replicatorJvmOptions() {
        return split(replicatorJvmOptions);
    }

    List<String> rawJvmOptions() {
        return split(rawJvmOptions);
    }

    List<String> brokerJvmOptions() {
        return split(brokerJvmOptions);
    }

    private static List<String> split(String options) {
        return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static String value(String flag, String[] args, int i) {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    private static long positiveLong(String flag, String[] args, int i) {
        long v = nonNegativeLong(flag, args, i);
        if (v <= 0) {
            throw new UsageException("Invalid value " + v + " for " + flag + ": must be above 0");
        }
        return v;
    }

    private static long nonNegativeLong(String flag, String[] args, int i) {
        String s = value(flag, args, i).replace("_", "").replace(",", "");
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new UsageException("Invalid value " + s + " for " + flag + ": must not be negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("Invalid value " + s + " for " + flag + ": not a whole number");
        }
    }

    private static List<Integer> ints(String flag, String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            try {
                int v = Integer.parseInt(s.trim());
                if (v <= 0) {
                    throw new NumberFormatException();
                }
                out.add(v);
            } catch (NumberFormatException e) {
                throw new UsageException("Invalid value " + s + " for " + flag + ": write positive numbers, e.g. 1,8,64");
            }
        }
        return List.copyOf(out);
    }

    private static List<Variant> variants(String flag, String list) {
        List<Variant> out = new ArrayList<>();
        for (String s : list.split(",")) {
            try {
                out.add(Variant.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value " + s + " for " + flag + ": write raw, mm2 or strait");
            }
        }
        return List.copyOf(out);
    }

    private static Set<Section> sections(String flag, String list) {
        Set<Section> out = new LinkedHashSet<>();
        for (String s : list.split(",")) {
            try {
                out.add(Section.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value " + s + " for " + flag
                        + ": write throughput, latency, partitions, links or crash");
            }
        }
        return out;
    }
}
