package io.strait.deploy;

import io.strait.testing.TestClusters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution that {@code mvn package} builds (target/strait-VERSION-dist.tar.gz), unpacked and
 * used as an operator would: no Maven, no source tree, only bin/strait and what lib/ holds.
 */
class DistributionIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    static Path unpacked;

    private static Path home;

    @BeforeAll
    static void unpack() throws IOException {
        String version = Project.version();
        Path tarball = Project.dir().resolve("target/strait-" + version + "-dist.tar.gz");
        assertThat(tarball).as("the distribution (mvn package builds it)").isRegularFile();
        ProcessResult untar = ProcessResult.run(unpacked, Map.of(), TIMEOUT, List.of("tar", "xzf", tarball.toString()));
        assertThat(untar.exitCode()).as(untar.toString()).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            assertThat(top.map(p -> p.getFileName().toString()).toList()).as("top folder")
                    .containsExactly("strait-" + version);
        }
        home = unpacked.resolve("strait-" + version);
    }

    @Test
    void holdsTheEntryPointConfigExamplesAndReadme() throws IOException {
        assertThat(home.resolve("bin/strait")).isRegularFile().isExecutable();
        assertThat(home.resolve("README.md")).hasSameTextualContentAs(Project.dir().resolve("README.md"));
        assertThat(home.resolve("config/log4j2.properties"))
                .hasSameTextualContentAs(Project.dir().resolve("src/main/resources/log4j2.properties"));
        assertThat(names(home.resolve("topologies"))).isNotEmpty().isEqualTo(names(Project.dir().resolve("topologies")));
        assertThat(home.resolve("CHANGELOG.md")).hasSameTextualContentAs(Project.dir().resolve("CHANGELOG.md"));
        assertThat(home.resolve("LICENSE")).hasSameTextualContentAs(Project.dir().resolve("LICENSE"));
        assertThat(names(home)).containsExactlyInAnyOrder("bin", "config", "lib", "topologies", "share", "sbom",
                "README.md", "CHANGELOG.md", "LICENSE");
    }

    @Test
    void shipsACompletionScriptThatKnowsEveryCommand() {
        Path script = home.resolve("share/bash-completion/completions/strait");
        assertThat(script).isRegularFile();
        // Sourced by a real bash: it registers a completion for strait that offers the commands.
        ProcessResult result = ProcessResult.run(home, Map.of(), TIMEOUT, List.of("bash", "-c", String.join("; ",
                "source share/bash-completion/completions/strait", "complete -p strait",
                "COMP_WORDS=(strait '') COMP_CWORD=1 COMP_LINE='strait ' COMP_POINT=7",
                "_complete_strait strait '' strait", "printf '%s\\n' \"${COMPREPLY[@]}\"")));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).contains("complete -o default -F _complete_strait strait")
                .contains("validate", "plan", "run", "status", "verify", "offsets", "failover", "failback", "help");
    }

    @Test
    void shipsAManPagePerCommand() throws IOException {
        assertThat(names(home.resolve("share/man/man1"))).containsExactlyInAnyOrder("strait.1", "strait-validate.1",
                "strait-plan.1", "strait-run.1", "strait-status.1", "strait-verify.1", "strait-offsets.1",
                "strait-failover.1", "strait-failback.1", "strait-demo.1", "strait-help.1");
        String status = Files.readString(home.resolve("share/man/man1/strait-status.1"));
        assertThat(status).contains(".TH \"STRAIT\\-STATUS\" \"1\"").contains("Strait " + Project.version().replace("-", "\\-"))
                .contains("\\-\\-output").contains("\\-\\-strict");
    }

    @Test
    void shipsACycloneDxSbomOfLib() throws IOException {
        Path sbom = home.resolve("sbom/strait-" + Project.version() + ".cdx.json");
        com.fasterxml.jackson.databind.JsonNode bom = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sbom.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("metadata").path("component").path("name").asText()).isEqualTo("strait");
        assertThat(bom.path("metadata").path("component").path("version").asText()).isEqualTo(Project.version());
        List<String> components = new ArrayList<>();
        bom.path("components").forEach(c -> components.add(c.path("name").asText() + "-" + c.path("version").asText() + ".jar"));
        // Every jar of lib/ but Strait's own is a component, and nothing that lib/ leaves out (the test brokers).
        List<String> jars = new ArrayList<>(names(home.resolve("lib")));
        jars.remove("strait-" + Project.version() + ".jar");
        assertThat(components).containsAll(jars);
        assertThat(components).noneMatch(n -> n.startsWith("kafka_2.13") || n.startsWith("kafka-test-common")
                || n.startsWith("junit") || n.startsWith("picocli-codegen"));
    }

    @Test
    void libHoldsTheRuntimeClassPathAndNoBroker() throws IOException {
        List<String> jars = names(home.resolve("lib"));
        assertThat(jars).contains("strait-" + Project.version() + ".jar").allMatch(n -> n.endsWith(".jar"));
        assertThat(jars).as("the in-process test brokers (provided scope) stay out")
                .noneMatch(n -> n.startsWith("kafka_2.13") || n.startsWith("kafka-server")
                        || n.startsWith("kafka-test-common"));
        // Exactly the daemon's class path as Maven resolves it, plus the project's jar.
        Path classpath = Project.dir().resolve("target/classpath-runtime.txt");
        List<String> expected = new ArrayList<>(Arrays.stream(Files.readString(classpath).trim().split(":"))
                .map(p -> Path.of(p).getFileName().toString()).toList());
        expected.add("strait-" + Project.version() + ".jar");
        expected.add(picocli(jars));
        assertThat(jars).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * picocli as the build compiled it from its sources for Java 17 (pom.xml, picocli-17-*): JDK 17's
     * class-data sharing leaves the Java 5 class files of picocli's own jar out of the daemon's archive.
     */
    @Test
    void libHoldsPicocliCompiledForJava17() throws IOException {
        String picocli = picocli(names(home.resolve("lib")));
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(home.resolve("lib").resolve(picocli).toFile())) {
            List<? extends java.util.zip.ZipEntry> classes = jar.stream()
                    .filter(e -> e.getName().startsWith("picocli/") && e.getName().endsWith(".class")).toList();
            assertThat(classes).as("picocli's classes").hasSizeGreaterThan(100);
            for (java.util.zip.ZipEntry entry : classes) {
                try (java.io.DataInputStream in = new java.io.DataInputStream(jar.getInputStream(entry))) {
                    in.readInt();
                    in.readUnsignedShort();
                    assertThat(in.readUnsignedShort()).as(entry.getName() + "'s class-file major version").isEqualTo(61);
                }
            }
        }
    }

    /** The one picocli jar of lib/, of the version pom.xml asks for. */
    private static String picocli(List<String> jars) {
        List<String> picocli = jars.stream().filter(n -> n.matches("picocli-\\d.*\\.jar")).toList();
        assertThat(picocli).as("one picocli jar in lib/")
                .containsExactly("picocli-" + Project.property("picocli.version") + ".jar");
        return picocli.get(0);
    }

    @Test
    void validatesEveryExampleWithoutMaven() throws IOException {
        List<String> command = new ArrayList<>(List.of("bin/strait", "validate"));
        List<String> examples = names(home.resolve("topologies"));
        examples.forEach(name -> command.add("topologies/" + name));
        ProcessResult result = strait(Map.of(), command);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        for (String name : examples) {
            assertThat(result.out()).as(result.toString()).contains("topologies/" + name + ": valid");
        }
        assertThat(result.err()).as(result.toString()).doesNotContain("building");
        assertThat(home.resolve("target")).as("nothing built: lib/ is used as it is").doesNotExist();
    }

    @Test
    void printsItsVersion() {
        ProcessResult result = strait(Map.of(), List.of("bin/strait", "--version"));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).startsWith("strait " + Project.version() + ", Kafka ");
    }

    @Test
    void theDemoIsNotPartOfIt() {
        ProcessResult result = strait(Map.of(), List.of("bin/strait", "demo", "--duration", "1s"));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).as(result.toString())
                .contains("the demo needs Kafka's in-process test brokers, which this installation does not include")
                .doesNotContain("\tat ");
    }

    @Test
    void logsAsConfigLog4j2PropertiesSaysAndStraitOptsReachTheJvm() throws IOException {
        // A copy of the distribution with a marker in its log pattern: the lines must carry it.
        Path copy = copyOfTheDistribution("marked");
        Path config = copy.resolve("config/log4j2.properties");
        String original = Files.readString(config);
        String marked = original.replace("appender.console.layout.pattern = ",
                "appender.console.layout.pattern = from-the-distribution-config ");
        assertThat(marked).isNotEqualTo(original);
        Files.writeString(config, marked);

        // plan --offline logs MirrorMaker 2's configuration at INFO, shown when STRAIT_OPTS asks for it.
        ProcessResult result = ProcessResult.run(copy, Map.of("STRAIT_OPTS", "-Dstrait.kafka.log.level=INFO"), TIMEOUT,
                List.of("bin/strait", "plan", "--offline", "topologies/link.conf"));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).as(result.toString()).containsPattern("(?m)^from-the-distribution-config .* INFO ");
    }

    /**
     * bin/strait's class-data sharing for {@code run}, on the Java of PATH (JEP 350's dynamic archive
     * before Java 25): a run that replicated records an archive when it exits, and the next maps it
     * (its classes come from the archive); a run that never replicated leaves its recording unused; a
     * recording cut short is deleted without being mapped; an upgraded jar has the archive recorded anew.
     */
    @Test
    void runRecordsAClassDataArchiveAtExitThenMapsItAndChecksItFirst() throws Exception {
        int feature = featureOf(javaOnPath());
        classDataSharing(Map.of(), feature >= 25 ? "aot" : "jsa", feature >= 25 ? "AOT cache" : "", true);
    }

    /**
     * The same on Java 25 or later, given by JAVA_HOME: the archive is an AOT cache (JEP 483, with
     * JEP 515's method profiles), recorded as an AOT configuration at exit and assembled by the next
     * start, under the same rules. The Java is STRAIT_TEST_JAVA25_HOME (which must then be one), else
     * the first of /usr/lib/jvm/* whose release file says 25 or later (Temurin's, on the machines of
     * .ci/run); none, and the test is skipped.
     */
    @Test
    void onJava25RunRecordsAnAotCacheAtExitThenMapsItAndChecksItFirst() throws Exception {
        Path java25 = javaHome(25);
        org.junit.jupiter.api.Assumptions.assumeTrue(java25 != null,
                "no Java 25 or later (STRAIT_TEST_JAVA25_HOME, /usr/lib/jvm)");
        classDataSharing(Map.of("JAVA_HOME", java25.toString()), "aot", "AOT cache", false);
    }

    /** A Java home of feature version {@code atLeast} or later, or null. */
    private static Path javaHome(int atLeast) throws IOException {
        List<Path> candidates = new ArrayList<>();
        String given = System.getenv("STRAIT_TEST_JAVA25_HOME");
        if (given != null && !given.isBlank()) {
            assertThat(Files.isExecutable(Path.of(given, "bin", "java")) && featureOf(Path.of(given)) >= atLeast)
                    .as("STRAIT_TEST_JAVA25_HOME=" + given + " is a Java " + atLeast + " or later home").isTrue();
            return Path.of(given).toRealPath();
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                homes.sorted().forEach(candidates::add);
            }
        }
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate.resolve("bin/java")) && featureOf(candidate) >= atLeast) {
                return candidate.toRealPath();
            }
        }
        return null;
    }

    /** The home of the java that PATH finds, as bin/strait runs it without JAVA_HOME. */
    private static Path javaOnPath() throws IOException {
        for (String dir : System.getenv("PATH").split(":")) {
            Path java = Path.of(dir.isEmpty() ? "." : dir, "java");
            if (Files.isExecutable(java)) {
                return java.toRealPath().getParent().getParent();
            }
        }
        throw new IllegalStateException("no java on PATH");
    }

    /** The feature version in a Java home's release file ({@code JAVA_VERSION="25.0.3"}), or 0. */
    private static int featureOf(Path javaHome) throws IOException {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)")
                .matcher(Files.readString(release));
        return version.find() ? Integer.parseInt(version.group(1)) : 0;
    }

    /**
     * The class-data sharing checks, with {@code javaEnv} (JAVA_HOME, or none for PATH's) in every run's
     * environment; the archive's file name ends in {@code .suffix}, and its lines say {@code (kind)} if
     * a kind is given. {@code upgrades}: also the runs of an upgraded jar and of unreachable clusters,
     * of files of other checksums and of a directory anyone may write to (bin/strait's checksum, marks
     * and checks, the same for either kind: on one Java only, to keep the suite short).
     */
    private void classDataSharing(Map<String, String> javaEnv, String suffix, String kind, boolean upgrades)
            throws Exception {
        Path copy = copyOfTheDistribution("cds");
        Path cds = copy.resolve("cds");
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 1, Map.of());
            Path replicating = copy.resolve("link.conf");
            Files.writeString(replicating, clusters.topology("flows { ab { type = link, source = a, target = b } }"));

            String first = run(copy, replicating, javaEnv, true);
            assertThat(first).contains("Class-data archive: none yet: recording " + cds).containsPattern(
                    "(?m)Class-data archive: none yet: recording \\S+\\." + suffix + " at exit"
                            + (kind.isEmpty() ? "$" : " \\(" + kind + "\\)"));
            assertThat(names(cds)).as("the recording and its mark").hasSize(2)
                    .anySatisfy(f -> assertThat(f).endsWith(".recording"))
                    .anySatisfy(f -> assertThat(f).endsWith(".recording.ok"));
            byte[] recorded;
            try (Stream<Path> files = Files.list(cds)) {
                recorded = Files.readAllBytes(files.filter(f -> f.toString().endsWith(".recording")).findFirst().orElseThrow());
            }

            Path classes = copy.resolve("classes.log");
            String second = run(copy, replicating, with(javaEnv, "JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classes), true);
            assertThat(second).contains("Class-data archive: mapping " + cds).containsPattern("(?m)Class-data archive: mapping \\S+\\."
                    + suffix + (kind.isEmpty() ? "$"
                    // An AOT configuration becomes a cache in a JVM of its own, at the next start.
                    : " \\(" + kind + ", assembled in \\d+ s from the last run's recording\\)$"));
            List<String> archives = names(cds);
            assertThat(archives).singleElement().satisfies(f -> assertThat(f).matches("strait-\\d+\\." + suffix));
            // JEP 350's archive is the top layer over the JDK's; an AOT cache is a static archive.
            String source = suffix.equals("jsa") ? "source: shared objects file \\(top\\)" : "source: shared objects file$";
            assertThat(Files.readString(classes)).as("Strait's classes come from the archive recorded by the first run")
                    .containsPattern("(?m)io\\.strait\\.cli\\.RunCommand " + source)
                    // picocli's Java 17 build (pom.xml, picocli-17-*): its own jar's Java 5 classes are never archived.
                    .containsPattern("(?m)picocli\\.CommandLine " + source);

            // Marked recordings whose header is complete: one cut short (a full disk), one damaged in
            // its middle (a bad disk, two writers). The JVM refuses the first itself; the second only
            // its checksums show, which bin/strait checks in a JVM of its own before the daemon maps
            // anything. Their pids are above Linux's highest (pid_max), so no live process has them.
            Path archive = cds.resolve(archives.get(0));
            Files.write(cds.resolve(archives.get(0) + ".4194305.recording"),
                    java.util.Arrays.copyOf(recorded, Math.min(recorded.length, 1 << 20)));
            byte[] damaged = recorded.clone();
            for (int i = 0; i < 8; i++) {
                damaged[damaged.length / 2 + i] ^= (byte) 0xff;
            }
            Path damagedRecording = Files.write(cds.resolve(archives.get(0) + ".4194306.recording"), damaged);
            // The newest, so the one bin/strait checks (it deletes the older without).
            Files.setLastModifiedTime(damagedRecording, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(5)));
            for (String pid : List.of("4194305", "4194306")) {
                Files.write(cds.resolve(archives.get(0) + "." + pid + ".recording.ok"), new byte[0]);
            }
            Files.delete(archive);
            String third = run(copy, replicating, javaEnv, true);
            assertThat(third).contains("Class-data archive: none yet: recording").doesNotContain("SIGBUS");
            assertThat(names(cds)).as("the cut-short and damaged recordings are gone; the third run's own is there, marked")
                    .hasSize(2).noneMatch(f -> f.contains(".419430"));
            assertThat(run(copy, replicating, javaEnv, true)).contains("Class-data archive: mapping");

            // Strait upgraded in place (a jar changed): recorded anew. A run that never reaches its
            // clusters loads too little to be worth mapping: its recording stays unmarked and unused.
            if (!upgrades) {
                return;
            }
            try (Stream<Path> jars = Files.list(copy.resolve("lib"))) {
                Path jar = jars.filter(j -> j.getFileName().toString().startsWith("strait-")).findFirst().orElseThrow();
                Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(60)));
            }
            Path unreachable = copy.resolve("unreachable.conf");
            Files.writeString(unreachable, """
                    strait {
                      clusters { a.bootstrap-servers = "127.0.0.1:1", b.bootstrap-servers = "127.0.0.1:2" }
                      flows { ab { type = link, source = a, target = b } }
                      http { bind = "127.0.0.1", port = 0 }
                    }
                    """);
            assertThat(run(copy, unreachable, javaEnv, false)).contains("Class-data archive: none yet: recording");
            assertThat(run(copy, unreachable, javaEnv, false)).contains("Class-data archive: none yet: recording");
            if (suffix.equals("jsa")) {
                // JDK 17 records no dynamic archive beside a JVMTI agent (it would exit at once): not recorded.
                assertThat(run(copy, unreachable, with(javaEnv, "STRAIT_OPTS",
                        "-Xmx256m -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0"), false))
                        .contains("Class-data archive: off (a JVMTI agent is given");
            }
            assertThat(run(copy, replicating, javaEnv, true)).contains("Class-data archive: none yet: recording");
            assertThat(run(copy, replicating, javaEnv, true)).contains("Class-data archive: mapping");
        }

        // Archives of other checksums (another STRAIT_OPTS, an older version): kept while used
        // within a day, deleted once unused for longer.
        // Either kind: a Java upgraded to 25 leaves a JEP 350 archive behind, and back the other way.
        Path recent = cds.resolve("strait-1.jsa");
        Path stale = cds.resolve("strait-2.jsa");
        Path staleCache = cds.resolve("strait-3.aot");
        for (Path file : List.of(recent, stale, staleCache)) {
            Files.write(file, new byte[0]);
        }
        for (Path file : List.of(stale, staleCache)) {
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(2 * 86_400)));
        }
        Path unreachable = copy.resolve("unreachable.conf");
        run(copy, unreachable, javaEnv, false);
        assertThat(recent).exists();
        assertThat(stale).doesNotExist();
        assertThat(staleCache).doesNotExist();

        // A directory anyone may write to: another user could plant the classes the JVM would trust.
        Path open = Files.createTempDirectory(unpacked, "open");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(run(copy, unreachable, with(javaEnv, "STRAIT_CDS_DIR", open.toString()), false))
                .contains("Class-data archive: off (" + open + " is another user's or writable by anyone");
        assertThat(names(open)).isEmpty();
    }

    /**
     * {@code bin/strait run TOPOLOGY} until it serves HTTP, and when {@code replicates} until a link
     * replicates and the class-data recording is marked; then SIGTERM. Returns its output.
     */
    private static String run(Path dir, Path topology, Map<String, String> env, boolean replicates) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder("bin/strait", "run", topology.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("STRAIT_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JAVA_HOME"));
        builder.environment().put("STRAIT_OPTS", "-Xmx256m");
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done(Files.readString(log), dir.resolve("cds"), replicates)) {
                assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("within " + TIMEOUT + ": " + Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
        } finally {
            process.destroy();
            assertThat(process.waitFor(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        return Files.readString(log);
    }

    private static boolean done(String output, Path cds, boolean replicates) throws IOException {
        if (!output.contains("StatusServer: Serving")) {
            return false;
        }
        if (!replicates) {
            return true;
        }
        if (!output.contains("is replicating") || output.contains("Class-data archive: mapping")) {
            return output.contains("is replicating");
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".recording.ok"));
        }
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(env);
        more.put(name, value);
        return more;
    }

    /** A copy of the unpacked distribution, for a test that changes its files. */
    private static Path copyOfTheDistribution(String prefix) throws IOException {
        Path copy = Files.createTempDirectory(unpacked, prefix);
        ProcessResult cp = ProcessResult.run(unpacked, Map.of(), TIMEOUT,
                List.of("cp", "-R", home.toString() + "/.", copy.toString()));
        assertThat(cp.exitCode()).as(cp.toString()).isZero();
        return copy;
    }

    private static ProcessResult strait(Map<String, String> env, List<String> command) {
        return ProcessResult.run(home, env, TIMEOUT, command);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
