package io.strait.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus for the tests: Debian's {@code prometheus} package ({@code /usr/bin/prometheus}
 * and {@code promtool}; {@code .ci/run} installs it). A test that needs it is skipped with one line
 * when it is absent.
 */
final class Prometheus implements AutoCloseable {

    /** The chart's alert rules and dashboard: what the tests check is what the chart ships. */
    static final Path RULES = Project.dir().resolve("helm/strait/files/prometheus-rules.yaml");
    static final Path DASHBOARD = Project.dir().resolve("helm/strait/files/grafana-dashboard.json");
    static final Path RULES_TEST = Project.dir().resolve("src/test/resources/prometheus/strait-rules-test.yaml");

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;

    private Prometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The program on the PATH (or in /usr/bin); the test is skipped when it is not installed. */
    static Path binary(String name) {
        Optional<Path> found = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
                        Stream.of("/usr/bin", "/usr/local/bin"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(found.isPresent(), name + " not installed (Debian: apt-get install -y prometheus): skipped");
        return found.get();
    }

    /**
     * Starts Prometheus on 127.0.0.1 with its own data directory under {@code dir}, scraping
     * {@code target} (host:port) as job {@code job} every second and evaluating {@code rules} every second.
     */
    static Prometheus start(Path dir, String job, String target, Path rules) throws Exception {
        Path binary = binary("prometheus");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: "%s"
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s"]
                """.formatted(rules.toAbsolutePath(), job, target));
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prometheus = new Prometheus(process, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (prometheus.get("/-/ready").statusCode() == 200) {
                    return prometheus;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                prometheus.close();
                throw new AssertionError("prometheus not ready within 30 s:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An HTTP API answer's {@code data}, after checking its status is success. */
    JsonNode api(String path, String... params) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder(path);
        for (int i = 0; i < params.length; i += 2) {
            query.append(i == 0 ? '?' : '&').append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = get(query.toString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("GET " + query + ": " + response.statusCode() + " " + response.body());
        }
        return body.path("data");
    }

    /** The result vector of an instant query, now. */
    JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode data = api("/api/v1/query", "query", promql);
        if (!"vector".equals(data.path("resultType").asText()) && !"scalar".equals(data.path("resultType").asText())) {
            throw new AssertionError(promql + " gave " + data);
        }
        return data.path("result");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
