package io.strait.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Broken topology files through the real command line, {@code validate} and {@code run}: each is refused
 * with exit code 1 and one clear message at {@code file:line} that names the bad value and says what to
 * write instead; no stack trace is printed, and {@code run} starts nothing.
 */
class BadInputTest {

    private static final Path BROKEN = Path.of("src/test/resources/topologies/invalid");
    /** Generous on a busy machine; a refusal takes well under a second. */
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String UNSET = "STRAIT_TEST_SURELY_UNSET_VAR";
    private static final int TEN_MB = 10 * 1024 * 1024;
    private static final String VALID = """
            strait {
              clusters {
                a { bootstrap-servers = "a:9092" }
                b { bootstrap-servers = "b:9092" }
              }
              flows { dr { type = link, source = a, target = b } }
            }
            """;

    /**
     * file | exit code | line | message. The message is what the line holds after {@code file:line: };
     * parts separated by {@code …} appear in that order.
     */
    private static final String TABLE = """
            empty.conf                      | 1 | 1  | No strait { } block: a topology file defines strait.clusters and strait.flows (see topologies/ for examples)
            only-comments.conf              | 1 | 1  | No strait { } block: a topology file defines strait.clusters and strait.flows
            no-strait-block.conf            | 1 | 1  | No strait { } block: a topology file defines strait.clusters and strait.flows
            strait-is-number.conf           | 1 | 2  | Invalid value 5 for strait: it is a block, strait { clusters { ... }, flows { ... } }
            empty-strait-block.conf         | 1 | 2  | No clusters: define at least two under strait.clusters
            no-flows.conf                   | 1 | 2  | No flows: define at least one under strait.flows, for example dr { type = link, source = east, target = west }
            clusters-as-list.conf           | 1 | 3  | Invalid value [{"alias":"a",…for clusters: it must be an object { ... } keyed by name
            http-not-a-block.conf           | 1 | 10 | Invalid value 8080 for http: it is a block, for example http { port = 8080 }
            flow-as-string.conf             | 1 | 8  | Invalid value "a->b" for flow dr: a flow is an object, for example dr { type = link, source = a, target = b }
            missing-type.conf               | 1 | 8  | Missing type for flow dr: write type = one of link, fan-out, fan-in, pipe, bidirectional
            unknown-flow-type.conf          | 1 | 9  | Invalid value mirror for type of flow dr: write one of link, fan-out, fan-in, pipe, bidirectional
            wrong-endpoint-key.conf         | 1 | 13 | Invalid key targets in flow dr: a link flow takes source and target
            self-link.conf                  | 1 | 8  | Invalid link a->a in flow loop: a cluster cannot replicate to itself; name two different clusters
            unknown-cluster.conf            | 1 | 11 | Unknown cluster wset in target of flow dr: known clusters are east, west
            bad-regex.conf                  | 1 | 12 | Invalid value orders(eu for topics of flow dr: not a regular expression (Unclosed group near index 9); write a Java regex
            bad-regex-exclude.conf          | 1 | 12 | Invalid value *.tmp for topics-exclude of flow dr: not a regular expression (Dangling meta character '*'
            conflicting-naming.conf         | 1 | 9  | Conflicting flows first (…conflicting-naming.conf:8) and second both make link a->b but differ in naming (prefix vs identity): give them the same settings, or let one flow own the link
            identity-bidirectional.conf     | 1 | 8  | Invalid naming identity for link a->b of flow active: the link lies on the cycle a->b->a…write naming = prefix
            identity-ring.conf              | 1 | 10 | Invalid naming identity for link a->b of flow ring: the link lies on the cycle a->b->c->a…write naming = prefix
            client-bootstrap-servers.conf   | 1 | 8  | Invalid key bootstrap.servers in kafka-clients of cluster a: Strait sets it; write bootstrap-servers instead
            client-group-id.conf            | 1 | 9  | Invalid key group.id in kafka-clients of cluster-defaults: Strait sets it; remove the key
            client-config-providers.conf    | 1 | 7  | Invalid key config.providers in kafka-clients of cluster a: Strait sets it, with Kafka's providers env, file and directory; write "${env:VAR}", "${file:/path/file.properties:key}" or "${directory:/path:file}" in a value instead
            mirror-tasks-max.conf           | 1 | 14 | Invalid key tasks.max in the mirror block of flow dr: Strait sets it; write tasks instead
            mirror-topics.conf              | 1 | 12 | Invalid key topics in the mirror block of flow dr: Strait sets it; write topics instead
            mirror-replication-policy.conf  | 1 | 9  | Invalid key replication.policy.class in the mirror block of flow-defaults: Strait sets it; write naming instead
            kafka-clients-bad-value.conf    | 1 | 6  | Invalid value sometimes for acks in kafka-clients of cluster a: String must be one of: all, -1, 0, 1
            kafka-clients-misspelt-key.conf | 1 | 8  | Unknown key securty.protocol in kafka-clients of cluster b: no Kafka client (producer, consumer, admin) has this setting (did you mean security.protocol?)
            cluster-defaults-bad-value.conf | 1 | 9  | Invalid value 30s for request.timeout.ms in kafka-clients of cluster-defaults: Not a number of type INT; Kafka takes a number of milliseconds here: write 30000
            read-uncommitted.conf           | 1 | 6  | Invalid value read_uncommitted for isolation.level in kafka-clients of cluster a: Strait copies committed records only…remove the key
            worker-bad-value.conf           | 1 | 10 | Invalid value soon for offset.flush.interval.ms in engine.worker: Not a number of type LONG; write a whole number of milliseconds, for example 60000 (Kafka's default)
            worker-group-id.conf            | 1 | 12 | Invalid key group.id in engine.worker: Strait sets it for each link (each link's workers form their own Connect group, <source>-mm2; remove the key)
            mirror-bad-value.conf           | 1 | 12 | Invalid value maybe for emit.heartbeats.enabled in the mirror block of flow dr: Expected value to be either true or false
            flow-defaults-mirror-bad-value.conf | 1 | 9 | Invalid value maybe for emit.heartbeats.enabled in the mirror block of flow-defaults: Expected value to be either true or false
            mirror-checkpoints-off.conf     | 1 | 13 | Invalid value false for emit.checkpoints.enabled in the mirror block of flow dr: MirrorCheckpointConnector can't run with emit.checkpoints.enabled set to false; Strait runs all three MirrorMaker 2 connectors on every link, so remove the key
            unset-variable.conf             | 1 | 7  | Unset variable in ${STRAIT_TEST_SURELY_UNSET_VAR}: STRAIT_TEST_SURELY_UNSET_VAR is neither set in the environment nor in the file; set it, or write ${?STRAIT_TEST_SURELY_UNSET_VAR} where it may be absent
            unset-optional-bootstrap.conf   | 1 | 5  | Missing bootstrap-servers for cluster b: write bootstrap-servers = "host:9092" (if it comes from ${?VAR}, that variable is not set)
            substitution-cycle.conf         | 1 | 5  | was part of a cycle of substitutions…a value cannot refer to itself
            tasks-string.conf               | 1 | 12 | Invalid value "lots" for tasks of flow dr: write auto or a number of at least 1
            tasks-zero.conf                 | 1 | 12 | Invalid value 0 for tasks of flow dr: write auto or a number of at least 1
            fractional-tasks.conf           | 1 | 12 | Invalid value 2.5 for tasks of flow dr: write auto or a number of at least 1
            null-tasks.conf                 | 1 | 12 | Invalid value null for tasks of flow dr: write auto or a number of at least 1, or remove the key
            refresh-interval-string.conf    | 1 | 12 | Invalid value "soon" for refresh-interval of flow dr: write a duration such as 10s, 500ms or 1m
            refresh-interval-too-short.conf | 1 | 12 | Invalid value "100ms" for refresh-interval of flow dr: it must be at least 1s
            http-port-string.conf           | 1 | 11 | Invalid value "x" for http.port: write a port number
            http-port-too-big.conf          | 1 | 10 | Invalid value 70000 for http.port: write a port from 1 to 65535, or 0 for any free port
            reload-watch-string.conf        | 1 | 11 | Invalid value "maybe" for reload.watch: write true or false
            topics-object.conf              | 1 | 12 | Invalid value {"a":1} for topics of flow dr: write a list of names such as [a, b]
            bad-naming.conf                 | 1 | 12 | Invalid value same for naming of flow dr: write prefix (source.topic) or identity (the same name)
            bad-separator.conf              | 1 | 12 | Invalid value "/" for separator of flow dr: it becomes part of topic names…write "." or "_"
            alias-dot.conf                  | 1 | 5  | Invalid cluster alias "us.east": an alias prefixes topic names, so it may hold only letters, digits, _ and - (no dots), for example us-east
            alias-contains-separator.conf   | 1 | 5  | Invalid cluster alias us_east: it contains the separator "_" of flow dr…rename the cluster or choose another separator
            empty-bootstrap-servers.conf    | 1 | 5  | Invalid value "" for bootstrap-servers of cluster b: it must list host:port pairs, for example "host:9092"
            missing-bootstrap-servers.conf  | 1 | 5  | Missing bootstrap-servers for cluster b: write bootstrap-servers = "host:9092"
            pipe-one-cluster.conf           | 1 | 10 | Invalid value [a] for clusters of flow chain: name at least 2 clusters
            duplicate-cluster-in-list.conf  | 1 | 11 | Invalid value [a, b, a] for sources of flow collect: a cluster appears twice; name each cluster once
            fan-out-no-targets.conf         | 1 | 11 | Invalid value [] for targets of flow spread: name at least 1 cluster
            unknown-key-did-you-mean.conf   | 1 | 12 | Unknown key topcis in flow dr: known keys are clusters, delivery, groups,…(did you mean topics?)
            unknown-root-key.conf           | 1 | 7  | Unknown key flow in strait: known keys are cluster-defaults, clusters,…(did you mean flows?)
            unquoted-host-port.conf         | 1 | 4  | Unquoted ':' in a value: put values that hold ':' in double quotes, for example bootstrap-servers = "host:9092"
            unquoted-regex.conf             | 1 | 12 | Unquoted '*': HOCON reserves it outside quotes; put the value in double quotes, for example topics = ["orders.*"]
            unterminated-string.conf        | 1 | 4  | Unterminated string: a string in double quotes ends on the line it starts on; add the closing "
            unclosed-brace.conf             | 1 | 2  | Unclosed {: the file ends before the { of line 2 is closed; add the missing }
            stray-bracket.conf              | 1 | 8  | Expecting close brace } or a comma, got ']'
            include-missing.conf            | 1 | 2  | Cannot include missing.conf: there is no file…missing.conf…drop required(...) if the file may be absent
            alias-empty.conf                | 1 | 5  | Invalid cluster alias "": an alias prefixes topic names, so it may hold only letters, digits, _ and -
            alias-space.conf                | 1 | 4  | Invalid cluster alias "a b"…for example a-b
            alias-dot-unused.conf           | 1 | 6  | Invalid cluster alias "us.east"…(no dots)…for example us-east
            alias-contains-separator-first-cluster.conf | 1 | 4 | Invalid cluster alias us_east: it contains the separator "_" of flow dr…choose another separator
            conflicting-mirror.conf         | 1 | 14 | Conflicting flows first (…conflicting-mirror.conf:8) and second both make link a->b but differ in mirror settings [sync.topic.configs.enabled]
            conflicting-naming-links.conf   | 1 | 9  | Conflicting flows first (…conflicting-naming-links.conf:8) and second both make link a->b but differ in naming (prefix vs identity)
            identity-ring-of-links.conf     | 1 | 10 | Invalid naming identity for link b->c of flow bc: the link lies on the cycle b->c->a->b
            unknown-flow-type-ring.conf     | 1 | 9  | Invalid value ring for type of flow round: write one of link, fan-out, fan-in, pipe, bidirectional
            unset-variables.conf            | 1 | 4  | Unset variable in ${A_BOOTSTRAP}: A_BOOTSTRAP is neither set…${?A_BOOTSTRAP}
            many-errors.conf                | 1 | 5  | Missing bootstrap-servers for cluster b
            refused-client-keys.conf        | 1 | 7  | Invalid key bootstrap.servers in kafka-clients of cluster a: Strait sets it; write bootstrap-servers instead
            refused-mirror-keys.conf        | 1 | 13 | Invalid key tasks.max in the mirror block of flow dr: Strait sets it; write tasks instead
            syntax-error.conf               | 1 | 8  | Expecting close brace }
            unknown-flow-key.conf           | 1 | 12 | Unknown key topic in flow dr: known keys are…(did you mean topics?)
            wrong-type-tasks.conf           | 1 | 12 | Invalid value "many" for tasks of flow dr: write auto or a number of at least 1
            wrong-type-topics.conf          | 1 | 12 | Invalid value {"a":1} for topics of flow dr: write a list of names such as [a, b]
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void variableIsUnset() {
        assumeThat(System.getenv(UNSET)).as("the tests need %s unset", UNSET).isNull();
    }

    static Stream<Arguments> brokenFiles() {
        return TABLE.lines().map(row -> Arrays.stream(row.split("\\|", 4)).map(String::strip).toArray(String[]::new))
                .map(c -> arguments(c[0], Integer.parseInt(c[1]), Integer.parseInt(c[2]), c[3]));
    }

    @ParameterizedTest(name = "{0}: exit {1}, line {2}")
    @MethodSource("brokenFiles")
    void brokenFileIsRefusedAtItsLine(String name, int exitCode, int line, String message) {
        assertRefused(BROKEN.resolve(name), exitCode, line, message);
    }

    @Test
    void everyFileUnderBrokenIsInTheTable() throws IOException {
        Set<String> inTable = brokenFiles().map(a -> (String) a.get()[0]).collect(Collectors.toCollection(TreeSet::new));
        Set<String> onDisk;
        try (Stream<Path> files = Files.list(BROKEN)) {
            onDisk = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(onDisk).isEqualTo(inTable);
        assertThat(inTable).hasSizeGreaterThanOrEqualTo(30);
    }

    /** Files too big or too binary to commit, written at test time: name, contents, line (0: any), message. */
    static Stream<Arguments> generatedFiles() {
        return Stream.of(
                generated("random-64k.conf", BadInputTest::randomBytes, 0,
                        "Not a text file: byte 0x…is not UTF-8; a topology is HOCON text saved as UTF-8"),
                generated("nul-header.conf", n -> concat(new byte[4096], VALID.getBytes(StandardCharsets.UTF_8)), 1,
                        "Not a text file: it holds a NUL byte (line 1); a topology is HOCON text saved as UTF-8"),
                generated("nul-in-value.conf", n -> VALID.replace("b:9092", "b:9092\0\0\0").getBytes(StandardCharsets.UTF_8),
                        4, "Not a text file: it holds a NUL byte (line 4)"),
                generated("utf-16.conf", n -> VALID.getBytes(StandardCharsets.UTF_16), 1,
                        "Not a text file: byte 0xFE (line 1) is not UTF-8; a topology is HOCON text saved as UTF-8"),
                generated("ten-mb-comment.conf", n -> concat(VALID.getBytes(StandardCharsets.UTF_8),
                        ("# " + "x".repeat(TEN_MB) + "\n").getBytes(StandardCharsets.UTF_8)), 1,
                        "Too large for a topology: 10485924 bytes, over the limit of 1 MiB (1048576 bytes);"
                                + " is this the right file?"),
                generated("ten-mb-string.conf", n -> VALID.replace("a:9092", "a".repeat(TEN_MB))
                        .getBytes(StandardCharsets.UTF_8), 1, "Too large for a topology: 10485915 bytes"),
                generated("ten-mb-garbage.conf", n -> "}{ ][ = \"\" ${ :\n".repeat(TEN_MB / 16)
                        .getBytes(StandardCharsets.UTF_8), 1, "Too large for a topology: 10485760 bytes"),
                generated("deep-nesting.conf", n -> (VALID.replace("\n}\n", "\n  x = " + "[".repeat(200_000) + "\n"))
                        .getBytes(StandardCharsets.UTF_8), 7,
                        "Nested too deeply: { and [ go more than 100 levels deep here; a topology needs a few levels"),
                generated("long-key-path.conf", n -> ("strait {\n  " + "a.".repeat(200_000) + "b = 1\n}\n")
                        .getBytes(StandardCharsets.UTF_8), 1,
                        "Too complex to read: the parser ran out of stack"));
    }

    @ParameterizedTest(name = "{0}: line {2}")
    @MethodSource("generatedFiles")
    void generatedFileIsRefusedQuickly(String name, Function<String, byte[]> contents, int line, String message)
            throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, contents.apply(name));
        assertRefused(file, ExitCodes.INVALID_INPUT, line, message);
    }

    // ---- helpers ----

    private static Arguments generated(String name, Function<String, byte[]> contents, int line, String message) {
        return arguments(name, Named.of("generated", contents), line, message);
    }

    private static byte[] randomBytes(String name) {
        byte[] bytes = new byte[64 * 1024];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** {@code validate FILE} then {@code run FILE}: both refuse it at once, the same way. */
    private static void assertRefused(Path file, int exitCode, int line, String message) {
        assertTimeoutPreemptively(LIMIT, () -> {
            CommandResult validate = CommandResult.run("validate", file.toString());
            assertRefusedWith(validate, file, exitCode, line, message);
            assertThat(validate.err()).as(validate.toString()).contains(file + ": invalid, ");
            // only now that validate refused it: a topology that loaded would start a daemon
            CommandResult run = CommandResult.run("run", file.toString());
            assertRefusedWith(run, file, exitCode, line, message);
            assertThat(run.err()).as(run.toString()).contains(": nothing was started.");
        }, () -> "refusing " + file + " took longer than " + LIMIT.toSeconds() + " s");
    }

    private static void assertRefusedWith(CommandResult result, Path file, int exitCode, int line, String message) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        Pattern at = Pattern.compile("^" + Pattern.quote(file.toString()) + ":(\\d+): (.*)$", Pattern.MULTILINE);
        Matcher matcher = at.matcher(result.err());
        boolean found = false;
        while (matcher.find() && !found) {
            int reported = Integer.parseInt(matcher.group(1));
            found = (line > 0 ? reported == line : reported > 0) && containsInOrder(matcher.group(2), message);
        }
        assertThat(found).as("stderr has %s:%s: %s%n%s", file, line > 0 ? line : "N", message, result).isTrue();
        assertNoStackTrace(result);
    }

    private static boolean containsInOrder(String text, String message) {
        int from = 0;
        for (String part : message.split("…")) {
            int at = text.indexOf(part, from);
            if (at < 0) {
                return false;
            }
            from = at + part.length();
        }
        return true;
    }

    private static void assertNoStackTrace(CommandResult result) {
        for (String printed : List.of(result.out(), result.err())) {
            assertThat(printed.lines()).as(result.toString())
                    .noneMatch(l -> l.startsWith("Exception") || l.contains("Exception in thread"))
                    .noneMatch(l -> l.startsWith("\tat ") || l.contains("\tat "))
                    .noneMatch(l -> l.startsWith("Caused by"))
                    .noneMatch(l -> l.startsWith("strait: failed"));
        }
    }
}
