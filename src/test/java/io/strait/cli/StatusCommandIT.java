package io.strait.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code strait status} against a real daemon whose links cannot reach their clusters (no broker is
 * started: the ports are closed): STARTING, then FAILING, both exit code 4, in text and in JSON.
 * RUNNING and DEGRADED exiting 0 are checked by OperatingIT and DegradedLinkIT on real brokers.
 */
class StatusCommandIT {

    @TempDir
    Path dir;

    @Test
    void exitsFourWhileALinkDoesNotRun() throws Exception {
        Path file = dir.resolve("far.conf");
        Files.writeString(file, """
                strait {
                  clusters {
                    east { bootstrap-servers = "127.0.0.1:1" }
                    west { bootstrap-servers = "127.0.0.1:2" }
                  }
                  http.port = 0
                  flows { dr { type = link, source = east, target = west } }
                }
                """);
        TopologyLoader loader = new TopologyLoader(Map.of());
        StraitDaemon daemon = new StraitDaemon(loader.load(file), file, loader);
        StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
        String url = "http://127.0.0.1:" + http.port();
        try {
            daemon.start();
            CommandResult starting = CommandResult.run("status", "--url", url);
            assertThat(starting.exitCode()).as(starting.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
            await("east->west failing").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                CommandResult text = CommandResult.run("status", "--url", url);
                assertThat(text.out()).as(text.toString()).containsPattern("east->west +FAILING");
                assertThat(text.exitCode()).as(text.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
            });
            CommandResult json = CommandResult.run("status", "--url", url, "-o", "json");
            assertThat(json.exitCode()).as(json.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
            JsonNode status = new ObjectMapper().readTree(json.out());
            assertThat(status.path("links").get(0).path("state").asText()).isEqualTo("FAILING");
        } finally {
            daemon.stop();
            http.close();
        }
    }
}
