package io.strait.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.AutoComplete;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line behaves like its peers (kubectl, kcctl, git): {@code -h/--help} and {@code -V/--version}
 * on every command, a {@code help} command, {@code -o text|json}, {@code status}'s exit codes, progress on
 * a terminal only, and singular or plural counts.
 */
class CliConventionsTest {

    private static final String[] COMMANDS = {"validate", "plan", "run", "status", "verify", "offsets", "failover",
        "failback", "demo"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"validate", "plan", "run", "status", "verify", "offsets", "failover", "failback", "demo"})
    void everyCommandHasHelpAndTheHelpCommand(String command) {
        for (String[] args : new String[][] {{command, "--help"}, {command, "-h"}, {"help", command}}) {
            CommandResult result = CommandResult.run(args);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).as(result.toString()).startsWith("Usage: strait " + command)
                    .contains("-h, --help").contains("-V, --version").contains("Exit codes:");
            assertThat(result.err()).as(result.toString()).isEmpty();
        }
    }

    @Test
    void helpAloneListsEveryCommand() {
        for (String[] args : new String[][] {{"help"}, {"--help"}, {}}) {
            CommandResult result = CommandResult.run(args);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).as(result.toString()).contains(COMMANDS).contains("help");
        }
    }

    @Test
    void versionOnEveryCommandIsTheProjectVersion() {
        for (String[] args : new String[][] {{"--version"}, {"-V"}, {"plan", "-V"}, {"status", "--version"}}) {
            CommandResult result = CommandResult.run(args);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            // The version comes from io/strait/version.properties, which Maven filters at build time.
            assertThat(result.out().trim()).as(result.toString())
                    .matches("strait \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?, Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion());
        }
    }

    @Test
    void anUnknownOutputFormatIsInvalidInput() throws IOException {
        CommandResult result = CommandResult.run("validate", "-o", "yaml", write("x.conf", oneLink()).toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).as(result.toString()).contains("yaml").contains("text, json");
    }

    @Test
    void validateJsonHasClustersLinksAndProblems() throws IOException {
        Path good = write("good.conf", oneLink());
        Path bad = write("bad.conf", """
                strait {
                  clusters { a { bootstrap-servers = "a:1" } }
                  flows { loop { type = link, source = a, target = a } }
                }
                """);
        CommandResult result = CommandResult.run("validate", "-o", "json", good.toString(), bad.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        JsonNode files = JSON.readTree(result.out());
        assertThat(files.size()).as(result.toString()).isEqualTo(2);
        JsonNode first = files.get(0);
        assertThat(first.path("file").asText()).isEqualTo(good.toString());
        assertThat(first.path("valid").asBoolean()).isTrue();
        assertThat(first.path("clusters").toString()).isEqualTo("[\"east\",\"west\"]");
        assertThat(first.path("links").get(0).path("link").asText()).isEqualTo("east->west");
        assertThat(first.path("links").get(0).path("source").asText()).isEqualTo("east");
        assertThat(first.path("links").get(0).path("flows").get(0).asText()).isEqualTo("dr");
        JsonNode second = files.get(1);
        assertThat(second.path("valid").asBoolean()).isFalse();
        assertThat(second.path("problems").get(0).path("severity").asText()).isEqualTo("ERROR");
        assertThat(second.path("problems").get(0).path("location").asText()).isEqualTo(bad + ":3");
        assertThat(second.path("problems").get(0).path("message").asText()).startsWith("Invalid link a->a");
        assertThat(result.err()).as("JSON carries the problems; stderr stays quiet").isEmpty();
    }

    @Test
    void validateSaysOneLinkNotOneLinks() throws IOException {
        CommandResult result = CommandResult.run("validate", write("one.conf", oneLink()).toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).contains(": valid, 2 clusters (east, west), 1 link\n");
    }

    @Test
    void planJsonOfflineHasSettingsWithSecretsHidden() throws IOException {
        Path file = write("secret.conf", """
                strait {
                  clusters {
                    east { bootstrap-servers = "e:9092", kafka-clients { "sasl.jaas.config" = "x required password=s3cr3t;" } }
                    west { bootstrap-servers = "w:9092" }
                  }
                  flows { dr { type = link, source = east, target = west } }
                }
                """);
        CommandResult result = CommandResult.run("plan", "--offline", "-o", "json", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).doesNotContain("s3cr3t");
        JsonNode plan = JSON.readTree(result.out());
        assertThat(plan.path("topology").asText()).isEqualTo(file.toString());
        assertThat(plan.path("clusterIds").isNull()).as("offline: no cluster asked").isTrue();
        JsonNode link = plan.path("links").get(0);
        assertThat(link.path("link").asText()).isEqualTo("east->west");
        assertThat(link.path("settings").path("connectors").path("east->west").path("source.cluster.sasl.jaas.config")
                .asText()).isEqualTo("[hidden]");
        assertThat(link.path("settings").path("worker").size()).isPositive();
        assertThat(link.has("topics")).as("offline: no topics").isFalse();
    }

    @Test
    void planJsonNamesAnUnreachableClusterAndExitsTwo() throws IOException {
        CommandResult result = CommandResult.run("plan", "-o", "json", "--timeout", "2s", write("far.conf", unreachable()).toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        JsonNode link = JSON.readTree(result.out()).path("links").get(0);
        assertThat(link.path("unreachable").asText()).as(result.toString()).startsWith("cannot reach cluster");
    }

    @Test
    void verifyJsonGivesEachLinksVerdict() throws IOException {
        CommandResult result = CommandResult.run("verify", "-o", "json", "--timeout", "2s", write("far.conf", unreachable()).toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        JsonNode link = JSON.readTree(result.out()).path("links").get(0);
        assertThat(link.path("link").asText()).isEqualTo("east->west");
        assertThat(link.path("verdict").asText()).isEqualTo("UNREACHABLE");
        assertThat(link.path("summary").asText()).startsWith("east->west: UNREACHABLE");
        assertThat(link.path("partitions").isArray()).isTrue();
        assertThat(JSON.readTree(result.out()).path("refused").isArray()).isTrue();
    }

    @Test
    void progressGoesToStderrOnlyWhenItIsATerminal() throws IOException {
        Path file = write("far.conf", unreachable());
        CommandResult quiet = CommandResult.run("plan", "--timeout", "2s", "--no-settings", file.toString());
        assertThat(quiet.err()).as(quiet.toString()).doesNotContain("\r").doesNotContain("strait: listing");
        String was = System.getProperty(Progress.PROPERTY);
        System.setProperty(Progress.PROPERTY, "true");
        try {
            CommandResult shown = CommandResult.run("plan", "--timeout", "2s", "--no-settings", file.toString());
            assertThat(shown.exitCode()).as(shown.toString()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(shown.err()).as(shown.toString()).contains("\rstrait: listing the topics of 2 clusters (")
                    .contains("\rstrait: asking 2 clusters for their IDs (").endsWith("\r\033[K");
            assertThat(shown.out()).as("stdout holds only the plan").doesNotContain("\r").doesNotContain("strait: ")
                    .contains("Link east->west (flow dr)").contains("UNREACHABLE");
            CommandResult verify = CommandResult.run("verify", "--timeout", "2s", "-o", "json", file.toString());
            assertThat(verify.err()).as(verify.toString()).contains("\rstrait: asking 2 clusters for their IDs (")
                    .contains("\rstrait: verifying 1 link: reading every record of the replicated topics (")
                    .endsWith("\r\033[K");
            assertThat(JSON.readTree(verify.out()).path("links").get(0).path("verdict").asText()).isEqualTo("UNREACHABLE");
        } finally {
            if (was == null) {
                System.clearProperty(Progress.PROPERTY);
            } else {
                System.setProperty(Progress.PROPERTY, was);
            }
        }
    }

    @Test
    void statusExitCodesFollowTheLinksStates() throws IOException {
        String running = status("RUNNING", "RUNNING");
        String degraded = status("RUNNING", "DEGRADED");
        String failing = status("FAILING", "RUNNING");
        String starting = status("STARTING", "RUNNING");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicReference<String> body = new java.util.concurrent.atomic.AtomicReference<>();
        server.createContext("/status", exchange -> {
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            body.set(running);
            assertStatus(ExitCodes.OK, "status", "--url", url);
            assertStatus(ExitCodes.OK, "status", "--url", url, "--strict");
            body.set(degraded);
            assertStatus(ExitCodes.OK, "status", "--url", url);
            assertStatus(ExitCodes.NOT_RUNNING, "status", "--url", url, "--strict");
            body.set(failing);
            CommandResult text = assertStatus(ExitCodes.NOT_RUNNING, "status", "--url", url);
            assertThat(text.out()).containsPattern("a->b +FAILING").contains("t -> a.t: 1 partition, lag 0");
            CommandResult json = assertStatus(ExitCodes.NOT_RUNNING, "status", "--url", url, "-o", "json");
            assertThat(json.out()).isEqualTo(failing);
            CommandResult alias = assertStatus(ExitCodes.NOT_RUNNING, "status", "--url", url, "--json");
            assertThat(alias.out()).isEqualTo(failing);
            body.set(starting);
            assertStatus(ExitCodes.NOT_RUNNING, "status", "--url", url);
        } finally {
            server.stop(0);
        }
        CommandResult nobody = CommandResult.run("status", "--url", "http://127.0.0.1:1");
        assertThat(nobody.exitCode()).as(nobody.toString()).isEqualTo(ExitCodes.UNREACHABLE);
    }

    @Test
    void theCompletionScriptKnowsEveryCommandAndOption() {
        String script = AutoComplete.bash("strait", new CommandLine(new StraitCommand()));
        assertThat(script).contains(COMMANDS).contains("--output").contains("--strict").contains("--offline");
    }

    @Test
    void pluralCounts() {
        assertThat(Plural.count(0, "link")).isEqualTo("0 links");
        assertThat(Plural.count(1, "link")).isEqualTo("1 link");
        assertThat(Plural.count(2, "link")).isEqualTo("2 links");
        assertThat(Plural.count(1, "entry", "entries")).isEqualTo("1 entry");
        assertThat(Plural.count(3, "entry", "entries")).isEqualTo("3 entries");
    }

    private static CommandResult assertStatus(int code, String... args) {
        CommandResult result = CommandResult.run(args);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(code);
        return result;
    }

    /** A /status body with links a->b and b->a in these states (the shape StatusServer sends). */
    private static String status(String ab, String ba) {
        return """
                {"topology":"t.conf","links":[
                 {"link":"a->b","state":"%s","detail":null,"connectors":[{"name":"a->b","state":"RUNNING","tasks":[{"id":0,"state":"RUNNING"}]}],
                  "problems":[],"topics":[{"topic":"t","target":"a.t","partitions":1,"lag":0,"lostAtSource":0,"recreatedAtSource":0}]},
                 {"link":"b->a","state":"%s","detail":null,"connectors":[],"problems":[],"topics":[]}],
                 "reload":{"applied":0,"refused":0,"lastErrors":[]}}
                """.formatted(ab, ba);
    }

    private static String oneLink() {
        return """
                strait {
                  clusters {
                    east { bootstrap-servers = "e:9092" }
                    west { bootstrap-servers = "w:9092" }
                  }
                  flows { dr { type = link, source = east, target = west } }
                }
                """;
    }

    private static String unreachable() {
        return """
                strait {
                  clusters {
                    east { bootstrap-servers = "127.0.0.1:1" }
                    west { bootstrap-servers = "127.0.0.1:2" }
                  }
                  flows { dr { type = link, source = east, target = west } }
                }
                """;
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
