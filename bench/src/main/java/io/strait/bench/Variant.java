package io.strait.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The replicators under test, each started as its own JVM with the same JVM options. */
enum Variant {
    RAW("raw copy"),
    MM2("MirrorMaker 2 (stock)"),
    STRAIT("Strait (defaults)");

    /** Alias of the source cluster: every variant writes {@code A.<topic>} on the target. */
    static final String SOURCE_ALIAS = "A";
    static final String TARGET_ALIAS = "B";

    final String label;

    Variant(String label) {
        this.label = label;
    }

    /** The label in the report: Strait run with --strait-set is not "Strait (defaults)". */
    String label(BenchOptions options) {
        return this == STRAIT && !options.straitExtra.isEmpty() ? "Strait (with overrides)" : label;
    }

    static String targetTopic(String topic) {
        return SOURCE_ALIAS + "." + topic;
    }

    /** Starts the replicator copying {@code topic} from source to target; returns at once. */
    ChildJvm launch(BenchOptions options, Path runDir, String source, String target, String topic) throws IOException {
        Files.createDirectories(runDir);
        String name = name().toLowerCase(java.util.Locale.ROOT);
        String benchClasspath = System.getProperty("java.class.path");
        List<String> jvm = jvmOptions(options, runDir, name);
        Path log = runDir.resolve(name + ".log");
        switch (this) {
            case RAW -> {
                jvm.addAll(options.rawJvmOptions());
                jvm.add("-Dlog4j2.configurationFile=" + BenchLogging.childConfig(options.workDir, "INFO"));
                return ChildJvm.start(name, benchClasspath, jvm, RawCopy.class.getName(),
                        List.of(source, target, topic, targetTopic(topic)), log);
            }
            case MM2 -> {
                // Stock MirrorMaker 2, as `connect-mirror-maker.sh mm2.properties` runs it, with the
                // settings of Kafka's sample connect-mirror-maker.properties that a single broker needs
                // (replication factors of 1) and nothing else. Kafka's sample logs at INFO.
                Path properties = runDir.resolve("mm2.properties");
                Files.writeString(properties, String.join("\n",
                        "clusters = " + SOURCE_ALIAS + ", " + TARGET_ALIAS,
                        SOURCE_ALIAS + ".bootstrap.servers = " + source,
                        TARGET_ALIAS + ".bootstrap.servers = " + target,
                        SOURCE_ALIAS + "->" + TARGET_ALIAS + ".enabled = true",
                        TARGET_ALIAS + "->" + SOURCE_ALIAS + ".enabled = false",
                        "# A single broker: replication factors of 1.",
                        "replication.factor = 1",
                        "checkpoints.topic.replication.factor = 1",
                        "heartbeats.topic.replication.factor = 1",
                        "offset-syncs.topic.replication.factor = 1",
                        "offset.storage.replication.factor = 1",
                        "status.storage.replication.factor = 1",
                        "config.storage.replication.factor = 1",
                        ""));
                jvm.add("-Dlog4j2.configurationFile=" + BenchLogging.childConfig(options.workDir, "INFO"));
                return ChildJvm.start(name, benchClasspath, jvm, "org.apache.kafka.connect.mirror.MirrorMaker",
                        List.of(properties.toString()), log);
            }
            case STRAIT -> {
                Path topology = runDir.resolve("topology.conf");
                Files.writeString(topology, String.join("\n",
                        "# One link with Strait's defaults (reference.conf); only the addresses are given.",
                        "strait {",
                        "  clusters {",
                        "    " + SOURCE_ALIAS + " { bootstrap-servers = \"" + source + "\" }",
                        "    " + TARGET_ALIAS + " { bootstrap-servers = \"" + target + "\" }",
                        "  }",
                        "  flows { bench { type = link, source = " + SOURCE_ALIAS + ", target = " + TARGET_ALIAS + " } }",
                        "  http { bind = \"127.0.0.1\", port = 0 }",
                        "}",
                        options.straitExtra.isEmpty() ? "" : "# Overrides given with --strait-set:\n" + options.straitExtra + "\n"));
                return startStrait(options, jvm, topology, log);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** Strait with {@code links} links into one target: sources S1..Sn, one source cluster each. */
    static ChildJvm launchStraitLinks(BenchOptions options, Path runDir, List<String> sourceClusters, String target,
                                      int links) throws IOException {
        Files.createDirectories(runDir);
        String sources = IntStream.rangeClosed(1, links).mapToObj(i -> "S" + i).collect(Collectors.joining(", "));
        StringBuilder clusters = new StringBuilder();
        for (int i = 1; i <= links; i++) {
            clusters.append("    S").append(i).append(" { bootstrap-servers = \"").append(sourceClusters.get(i - 1))
                    .append("\" }\n");
        }
        Path topology = runDir.resolve("topology.conf");
        Files.writeString(topology, String.join("\n",
                "# " + links + " links in one daemon (fan-in) from as many source clusters: each link has its",
                "# own Connect group, internal topics and target topic (Sn.bench).",
                "strait {",
                "  clusters {",
                clusters + "    " + TARGET_ALIAS + " { bootstrap-servers = \"" + target + "\" }",
                "  }",
                "  flows { bench { type = fan-in, sources = [" + sources + "], target = " + TARGET_ALIAS + " } }",
                "  http { bind = \"127.0.0.1\", port = 0 }",
                "}",
                options.straitExtra.isEmpty() ? "" : "# Overrides given with --strait-set:\n" + options.straitExtra + "\n"));
        List<String> jvm = jvmOptions(options, runDir, "strait-" + links + "-links");
        return startStrait(options, jvm, topology, runDir.resolve("strait-" + links + "-links.log"));
    }

    /**
     * {@code bin/strait run TOPOLOGY}, as an operator starts it: the benchmark's own Java (JAVA_HOME),
     * the JVM options in STRAIT_OPTS, and its class-data archive in the work directory (bin/strait
     * records it at the first run's exit and maps it from then on; {@link Bench} makes that first run
     * before the measured ones).
     */
    private static ChildJvm startStrait(BenchOptions options, List<String> jvm, Path topology, Path log)
            throws IOException {
        return ChildJvm.startScript("strait", List.of(options.straitHome.resolve("bin").resolve("strait").toString(),
                "run", topology.toString()), straitEnvironment(options, jvm), log);
    }

    /**
     * {@code bin/strait run} of a topology that does not exist, with the environment of every Strait
     * of this benchmark: on Java 25, bin/strait assembles the AOT cache from the last run's recording
     * before the JVM starts (as an operator's second start does), then the JVM refuses the missing
     * file. Returns the seconds it took; fails if it did not exit within 5 minutes.
     */
    static double assembleArchive(BenchOptions options, Path log) throws Exception {
        Path runDir = log.getParent();
        List<String> jvm = jvmOptions(options, runDir, "strait-assemble");
        try (ChildJvm child = ChildJvm.startScript("strait-assemble", List.of(
                options.straitHome.resolve("bin").resolve("strait").toString(), "run",
                runDir.resolve("no-such-topology.conf").toAbsolutePath().toString()), straitEnvironment(options, jvm), log)) {
            if (!child.process.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException("bin/strait did not exit within 5 minutes; see " + log);
            }
            return child.secondsSinceLaunch();
        }
    }

    private static Map<String, String> straitEnvironment(BenchOptions options, List<String> jvm) {
        // A profile's file differs by run: through JDK_JAVA_OPTIONS, it stays out of the archive's
        // checksum (bin/strait's key includes STRAIT_OPTS), so profiled runs map the archive too.
        Map<String, String> env = new java.util.HashMap<>(Map.of("STRAIT_LOG_LEVEL", "INFO",
                "STRAIT_CDS_DIR", cdsDirectory(options).toString()));
        // The Java of every other process of this benchmark (brokers, raw copy, MirrorMaker 2).
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("STRAIT_OPTS", String.join(" ", jvm.stream().filter(o -> !o.startsWith("-XX:StartFlightRecording")).toList()));
        List<String> profile = jvm.stream().filter(o -> o.startsWith("-XX:StartFlightRecording")).toList();
        if (!profile.isEmpty()) {
            env.put("JDK_JAVA_OPTIONS", String.join(" ", profile));
        }
        return env;
    }

    /** Where every Strait of this benchmark keeps its class-data archive. */
    static Path cdsDirectory(BenchOptions options) {
        return options.workDir.toAbsolutePath().resolve("strait-cds");
    }

    private static List<String> jvmOptions(BenchOptions options, Path runDir, String name) {
        List<String> jvm = new ArrayList<>(options.replicatorJvmOptions());
        if (options.jfr) {
            jvm.add("-XX:StartFlightRecording=filename=" + runDir.resolve(name + ".jfr").toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        return jvm;
    }
}
