package io.strait.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user meets it: exit codes and what is printed where. */
class StraitCommandTest {

    @TempDir
    Path dir;

    @Test
    void everyExampleTopologyIsValid() throws IOException {
        String[] files;
        try (Stream<Path> examples = Files.list(Path.of("topologies"))) {
            files = examples.filter(p -> p.toString().endsWith(".conf")).sorted().map(Path::toString)
                    .toArray(String[]::new);
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        String[] args = Stream.concat(Stream.of("validate"), Stream.of(files)).toArray(String[]::new);
        CommandResult result = CommandResult.run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString())
                .contains("topologies/complex.conf: valid, 4 clusters (a, b, c, d), 4 links")
                .contains("a->b  from flow active")
                .contains("topologies/pipe.conf: valid")
                .contains("edge->region  from flow chain");
    }

    @Test
    void aSyntaxErrorExitsOneNamingFileAndLine() throws IOException {
        Path file = write("broken.conf", "strait {\n  clusters {\n    a { bootstrap-servers = \"x:1\" \n  flows = [\n");
        CommandResult result = CommandResult.run("validate", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).as(result.toString()).containsPattern(java.util.regex.Pattern.quote(file.toString()) + ":\\d+: ")
                .contains("invalid, 1 error");
        assertThat(result.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnknownClusterExitsOneWithTheBadValueAndItsLine() throws IOException {
        Path file = write("unknown.conf", """
                strait {
                  clusters {
                    east { bootstrap-servers = "e:9092" }
                    west { bootstrap-servers = "w:9092" }
                  }
                  flows {
                    dr { type = link, source = east, target = wset }
                  }
                }
                """);
        CommandResult result = CommandResult.run("validate", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).as(result.toString())
                .contains(file + ":7: Unknown cluster wset in target of flow dr: known clusters are east, west");
    }

    @Test
    void runRefusesAnInvalidTopologyWithExitOne() throws IOException {
        Path file = write("self.conf", """
                strait {
                  clusters { a { bootstrap-servers = "a:1" } }
                  flows { loop { type = link, source = a, target = a } }
                }
                """);
        CommandResult result = CommandResult.run("run", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).as(result.toString()).contains(file + ":3: Invalid link a->a")
                .contains("nothing was started");
    }

    @Test
    void aMissingFileIsInvalidInput() {
        CommandResult result = CommandResult.run("validate", dir.resolve("nope.conf").toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(result.err()).contains("No such file");
    }

    @Test
    void planOfflineShowsEffectiveSettingsWithSecretsHidden() throws IOException {
        Path file = write("secret.conf", """
                strait {
                  clusters {
                    east { bootstrap-servers = "e:9092", kafka-clients { "sasl.jaas.config" = ${JAAS} } }
                    west { bootstrap-servers = "w:9092" }
                  }
                  flows { dr { type = link, source = east, target = west } }
                }
                """.replace("${JAAS}", "\"org.apache.kafka.common.security.plain.PlainLoginModule required password=s3cr3t;\""));
        CommandResult result = CommandResult.run("plan", "--offline", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString())
                .contains("Link east->west (flow dr)")
                .contains("Connector east->west:")
                .contains("source.cluster.sasl.jaas.config = [hidden]")
                .contains("tasks.max = ")
                .contains("producer.enable.idempotence = true");
        assertThat(result.out() + result.err()).doesNotContain("s3cr3t");
    }

    @Test
    void planReportsAnUnreachableClusterAndExitsTwo() throws IOException {
        Path file = write("far.conf", """
                strait {
                  clusters {
                    east { bootstrap-servers = "127.0.0.1:1" }
                    west { bootstrap-servers = "127.0.0.1:2" }
                  }
                  flows { dr { type = link, source = east, target = west } }
                }
                """);
        CommandResult result = CommandResult.run("plan", "--timeout", "2s", "--no-settings", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.out()).as(result.toString()).contains("Link east->west (flow dr)")
                .contains("UNREACHABLE: cannot reach cluster");
    }

    @Test
    void unknownOptionsAreInvalidInput() {
        CommandResult result = CommandResult.run("validate", "--frobnicate");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.INVALID_INPUT);
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }
}
