package io.strait.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strait's log4j2.properties (the one the jar and the distribution ship) in a child JVM, driven by the
 * environment as the container is: {@code STRAIT_LOG_FORMAT=json} gives one ECS JSON object per line,
 * {@code STRAIT_LOG_LEVEL} and {@code STRAIT_KAFKA_LOG_LEVEL} set the levels, system properties win.
 */
class LogFormatTest {

    private static final Path CONFIG = Path.of("src/main/resources/log4j2.properties").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The child JVM: logs a few lines as Strait and Kafka would, then exits. */
    public static final class Emit {
        public static void main(String[] args) {
            Logger strait = LoggerFactory.getLogger("io.strait.replication.LinkReplicator");
            Logger kafka = LoggerFactory.getLogger("org.apache.kafka.connect.runtime.Worker");
            strait.debug("debug line of strait");
            strait.info("Link {} is replicating (\"quoted\", two\nlines)", "east->west");
            strait.warn("Link east->west failed", new IllegalStateException("broker gone"));
            kafka.info("info line of kafka");
            kafka.warn("warn line of kafka");
        }
    }

    @Test
    void jsonLinesCarryTheEcsFields() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        List<JsonNode> lines = json(run(Map.of("STRAIT_LOG_FORMAT", "json")));
        assertThat(lines).extracting(l -> l.path("message").asText())
                .containsExactly("Link east->west is replicating (\"quoted\", two\nlines)", "Link east->west failed",
                        "warn line of kafka");
        JsonNode info = lines.get(0);
        assertThat(Instant.parse(info.path("@timestamp").asText())).isAfter(before).isBefore(Instant.now());
        assertThat(info.path("ecs.version").asText()).isNotEmpty();
        assertThat(info.path("log.level").asText()).isEqualTo("INFO");
        assertThat(info.path("log.logger").asText()).isEqualTo("io.strait.replication.LinkReplicator");
        assertThat(info.path("process.thread.name").asText()).isEqualTo("main");
        assertThat(info.path("service.name").asText()).isEqualTo("strait");
        assertThat(info.has("error.type")).isFalse();
        JsonNode warn = lines.get(1);
        assertThat(warn.path("log.level").asText()).isEqualTo("WARN");
        assertThat(warn.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(warn.path("error.message").asText()).isEqualTo("broker gone");
        assertThat(warn.path("error.stack_trace").asText()).contains("at io.strait.cli.LogFormatTest$Emit.main");
    }

    @Test
    void levelsComeFromTheEnvironment() throws Exception {
        List<JsonNode> debug = json(run(Map.of("STRAIT_LOG_FORMAT", "json", "STRAIT_LOG_LEVEL", "DEBUG",
                "STRAIT_KAFKA_LOG_LEVEL", "INFO")));
        assertThat(debug).extracting(l -> l.path("message").asText()).contains("debug line of strait", "info line of kafka");
        List<JsonNode> quiet = json(run(Map.of("STRAIT_LOG_FORMAT", "json", "STRAIT_LOG_LEVEL", "WARN")));
        assertThat(quiet).extracting(l -> l.path("log.level").asText()).containsOnly("WARN");
    }

    @Test
    void textIsTheDefaultAndSystemPropertiesWin() throws Exception {
        String text = run(Map.of());
        assertThat(text).containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[main\\] LinkReplicator: Link east->west is replicating")
                .doesNotContain("\"@timestamp\"").doesNotContain("debug line");
        String overridden = run(Map.of("STRAIT_LOG_FORMAT", "json", "STRAIT_LOG_LEVEL", "WARN"),
                "-Dstrait.log.format=text", "-Dstrait.log.level=DEBUG");
        assertThat(overridden).contains("DEBUG [main] LinkReplicator: debug line of strait").doesNotContain("\"@timestamp\"");
    }

    @Test
    void binStraitRefusesAnUnknownFormatOrLevel() throws Exception {
        for (Map<String, String> env : List.of(Map.of("STRAIT_LOG_FORMAT", "xml"), Map.of("STRAIT_LOG_LEVEL", "LOUD"))) {
            ProcessBuilder builder = new ProcessBuilder("bin/strait", "--version").redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(output).as(output).containsPattern("^strait: STRAIT_LOG_(FORMAT=xml: write text or json|LEVEL=LOUD: write one of)");
        }
    }

    /** Runs {@link Emit} in a child JVM with Strait's log4j2.properties; returns its stderr. */
    private static String run(Map<String, String> env, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + CONFIG));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Emit.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("STRAIT_"));
        environment.putAll(new HashMap<>(env));
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        assertThat(out).as("nothing logged to stdout").isEmpty();
        return err;
    }

    /** Every line parsed as JSON: a line that is not fails the test. */
    private static List<JsonNode> json(String stderr) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                assertThat(node.isObject()).as(line).isTrue();
                lines.add(node);
            }
        }
        return lines;
    }
}
