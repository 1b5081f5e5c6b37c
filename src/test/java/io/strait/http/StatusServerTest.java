package io.strait.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.daemon.StraitDaemon;
import io.strait.replication.LinkReplicator.State;
import io.strait.topology.HttpSettings;
import io.strait.topology.LinkId;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.strait.http.FixedStatus.A_B;
import static io.strait.http.FixedStatus.B_A;
import static io.strait.http.FixedStatus.B_C;
import static io.strait.http.FixedStatus.D_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon's HTTP answers on fixed state, no broker: {@code /status}'s JSON (names, shapes, which
 * fields are null and which absent) equals {@code src/test/resources/status/status.json}, which
 * {@code strait status}, the integration tests and the README read; {@code /ready} and
 * {@code /healthy} answer 200, 503 or 500 by link state and liveness.
 */
class StatusServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private StatusServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Test
    void statusIsTheJsonTheCliAndTestsRead() throws Exception {
        Answer status = get(FixedStatus.sample(), "/status");
        assertThat(status.code()).isEqualTo(200);
        assertThat(status.type()).isEqualTo("application/json");
        assertThat(status.json()).isEqualTo(JSON.readTree(Files.readString(Path.of("src/test/resources/status/status.json"))));
    }

    @Test
    void theCliReadsEveryFieldTheServerWrites() throws Exception {
        String golden = Files.readString(Path.of("src/test/resources/status/status.json"));
        StatusReport read = StatusReport.parse(golden);
        assertThat(read).isEqualTo(StatusServer.report(FixedStatus.sample()));
        assertThat(JSON.readTree(JSON.writeValueAsString(read))).isEqualTo(JSON.readTree(golden));
    }

    @Test
    void eachTopicsTargetIsNamedByTheLinksReplicationPolicy() {
        FixedStatus fixed = FixedStatus.sample();
        for (var id : new LinkId[] {A_B, B_A, B_C}) {
            var sample = fixed.lag.get(id);
            var lag = new TreeMap<>(sample.lag());
            lag.put(new TopicPartition("heartbeats", 0), 0L);
            fixed.lag.put(id, new StraitDaemon.LagSample(sample.at(), lag, sample.lost(), sample.error()));
        }
        Map<String, Map<String, String>> targets = new TreeMap<>();
        StatusServer.report(fixed).links().stream().filter(l -> l.topics() != null).forEach(l -> targets.put(l.link(),
                l.topics().stream().collect(Collectors.toMap(StatusReport.Topic::topic,
                        StatusReport.Topic::target))));
        assertThat(targets).isEqualTo(Map.of(
                "a->b", Map.of("orders", "a.orders", "payments", "a.payments", "heartbeats", "a.heartbeats"),
                "b->a", Map.of("payments", "b_payments", "heartbeats", "b_heartbeats"),
                // Identity naming keeps names, but MirrorMaker 2's IdentityReplicationPolicy prefixes heartbeats.
                "b->c", Map.of("ledger", "ledger", "heartbeats", "b.heartbeats")));
    }

    @Test
    void readyIs200WhenEveryLinkRuns() throws Exception {
        FixedStatus fixed = allRunning();
        Answer ready = get(fixed, "/ready");
        assertThat(ready.code()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json()).isEqualTo(JSON.readTree("{\"ready\":true,\"links\":{}}"));
    }

    @Test
    void aDegradedLinkIsNamedButLeavesThePodReady() throws Exception {
        FixedStatus fixed = allRunning();
        fixed.state(B_C, State.DEGRADED);
        Answer ready = get(fixed, "/ready");
        assertThat(ready.code()).as(ready.body()).isEqualTo(200);
        assertThat(ready.json()).isEqualTo(JSON.readTree(
                "{\"ready\":true,\"links\":{\"b->c\":{\"state\":\"DEGRADED\",\"reason\":\"not running\"}}}"));
    }

    @Test
    void readyIs503WhileALinkStartsFailsOrIsStopped() throws Exception {
        for (State state : new State[] {State.STARTING, State.FAILING, State.STOPPED}) {
            FixedStatus fixed = allRunning();
            fixed.state(D_A, state);
            Answer ready = get(fixed, "/ready");
            assertThat(ready.code()).as(state + ": " + ready.body()).isEqualTo(503);
            assertThat(ready.json().path("ready").asBoolean(true)).isFalse();
            assertThat(ready.json().path("links").size()).as(ready.body()).isEqualTo(1);
            assertThat(ready.json().path("links").path("d->a").path("state").asText()).isEqualTo(state.name());
            close();
        }
    }

    @Test
    void readyNamesEachUnwellLinkWithWhy() throws Exception {
        Answer ready = get(FixedStatus.sample(), "/ready");
        assertThat(ready.code()).as(ready.body()).isEqualTo(503);
        assertThat(ready.json()).isEqualTo(JSON.readTree("""
                {"ready": false, "links": {
                  "b->a": {"state": "FAILING", "reason": "cannot reach cluster a at a:9092: no answer within 5 s"},
                  "b->c": {"state": "DEGRADED", "reason": "not running"},
                  "d->a": {"state": "STARTING", "reason": "starting: joining its Connect group and starting connectors"}}}
                """));
    }

    @Test
    void readyIs503WithNoLinks() throws Exception {
        FixedStatus fixed = new FixedStatus();
        Answer ready = get(fixed, "/ready");
        assertThat(ready.code()).as(ready.body()).isEqualTo(503);
        assertThat(ready.json()).isEqualTo(JSON.readTree("{\"ready\":false,\"links\":{}}"));
    }

    @Test
    void healthyIs200WhileTheDaemonMakesProgressAnd500WhenWedged() throws Exception {
        FixedStatus fixed = FixedStatus.sample();
        Answer healthy = get(fixed, "/healthy");
        assertThat(healthy.code()).isEqualTo(200);
        assertThat(healthy.json()).isEqualTo(JSON.readTree(
                "{\"healthy\":true,\"reason\":\"the daemon is making progress\"}"));
        fixed.alive = false;
        healthy = get(fixed, "/healthy");
        assertThat(healthy.code()).isEqualTo(500);
        assertThat(healthy.json()).isEqualTo(JSON.readTree(
                "{\"healthy\":false,\"reason\":\"the daemon's threads made no progress for 30 s\"}"));
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        FixedStatus fixed = FixedStatus.sample();
        assertThat(get(fixed, "/status/x").code()).isEqualTo(404);
        assertThat(get(fixed, "/status/x").json()).isEqualTo(JSON.readTree("{\"error\":\"not found\"}"));
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/ready")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(post.body())).isEqualTo(JSON.readTree("{\"error\":\"only GET\"}"));
    }

    @Test
    void headAnswersTheCodeWithoutABody() throws Exception {
        FixedStatus fixed = FixedStatus.sample();
        get(fixed, "/healthy");
        HttpResponse<String> head = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/ready")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(503);
        assertThat(head.body()).isEmpty();
    }

    private static FixedStatus allRunning() {
        FixedStatus fixed = FixedStatus.sample();
        for (var id : new LinkId[] {A_B, B_A, B_C, D_A}) {
            fixed.state(id, State.RUNNING);
        }
        return fixed;
    }

    private record Answer(int code, String type, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private Answer get(StatusSource source, String path) throws Exception {
        if (server == null) {
            server = StatusServer.start(new HttpSettings("127.0.0.1", 0), source);
        }
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }
}
