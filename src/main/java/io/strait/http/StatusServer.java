package io.strait.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strait.daemon.StraitDaemon;
import io.strait.replication.LinkReplicator;
import io.strait.topology.HttpSettings;
import io.strait.topology.LinkId;
import io.strait.topology.LinkSettings;
import io.strait.topology.Naming;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon's HTTP face: {@code /healthy} (liveness), {@code /ready} (readiness),
 * {@code /metrics} (Prometheus) and {@code /status} (JSON). Every answer is built from state the
 * daemon keeps; none waits on a Kafka call. Read-only: nothing here changes the daemon.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor;
    private final StatusSource daemon;
    private final StraitMetrics metrics;

    private StatusServer(HttpServer server, ExecutorService executor, StatusSource daemon, StraitMetrics metrics) {
        this.server = server;
        this.executor = executor;
        this.daemon = daemon;
        this.metrics = metrics;
    }

    /** Serves the running daemon's state on {@code settings}' address (port 0: any free port). */
    public static StatusServer start(HttpSettings settings, StraitDaemon daemon) throws IOException {
        return start(settings, StatusSource.of(daemon));
    }

    /** Serves {@code source}'s state on {@code settings}' address (port 0: any free port). */
    public static StatusServer start(HttpSettings settings, StatusSource source) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 16);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "strait-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        StatusServer status = new StatusServer(server, executor, source, new StraitMetrics(source));
        server.createContext("/healthy", status::healthy);
        server.createContext("/ready", status::ready);
        server.createContext("/metrics", status::metrics);
        server.createContext("/status", status::status);
        server.start();
        log.info("Serving /healthy, /ready, /metrics and /status on {}:{}", settings.bind(), status.port());
        return status;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void healthy(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, "/healthy")) {
            return;
        }
        boolean alive = daemon.alive();
        sendJson(exchange, alive ? 200 : 500, Map.of("healthy", alive,
                "reason", alive ? "the daemon is making progress" : "the daemon's threads made no progress for 30 s"));
    }

    private void ready(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, "/ready")) {
            return;
        }
        Map<LinkId, LinkReplicator.Status> statuses = statuses();
        Map<String, Object> unwell = new TreeMap<>();
        statuses.forEach((id, status) -> {
            if (status.state() != LinkReplicator.State.RUNNING) {
                unwell.put(id.toString(), Map.of("state", status.state().name(),
                        "reason", status.detail().orElse(status.state() == LinkReplicator.State.STARTING
                                ? "starting: joining its Connect group and starting connectors" : "not running")));
            }
        });
        // A DEGRADED link copies what it can, and what it lacks is on the clusters, which a new pod
        // would not change: it is named here but leaves the pod ready, so a rollout is not held up.
        boolean ready = !statuses.isEmpty() && statuses.values().stream().allMatch(s ->
                s.state() == LinkReplicator.State.RUNNING || s.state() == LinkReplicator.State.DEGRADED);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", ready);
        body.put("links", unwell);
        sendJson(exchange, ready ? 200 : 503, body);
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, "/metrics")) {
            return;
        }
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    private void status(HttpExchange exchange) throws IOException {
        if (!exactPath(exchange, "/status")) {
            return;
        }
        sendJson(exchange, 200, statusBody());
    }

    /** The body of {@code /status}: every link with its state, tasks, topics and lag, and the reloads. */
    Map<String, Object> statusBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topology", daemon.topology().source());
        Map<LinkId, StraitDaemon.LagSample> lag = daemon.lag();
        List<Object> links = new ArrayList<>();
        statuses().forEach((id, status) -> {
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("link", id.toString());
            link.put("state", status.state().name());
            link.put("since", status.since().toString());
            link.put("detail", status.detail().orElse(null));
            LinkSettings settings = daemon.topology().links().get(id);
            if (settings != null) {
                link.put("flows", settings.flows());
            }
            link.put("herderStarts", status.starts());
            link.put("taskStarts", status.taskStarts());
            link.put("events", status.events());
            link.put("problems", status.problems().stream().map(p -> Map.of("reason", p.reason().label(),
                    "subject", p.subject(), "message", p.message(), "since", p.since().toString())).toList());
            List<Object> connectors = new ArrayList<>();
            for (ConnectorStateInfo info : status.connectors()) {
                Map<String, Object> connector = new LinkedHashMap<>();
                connector.put("name", info.name());
                connector.put("state", info.connector().state());
                connector.put("worker", info.connector().workerId());
                List<Object> tasks = new ArrayList<>();
                info.tasks().forEach(t -> {
                    Map<String, Object> task = new LinkedHashMap<>();
                    task.put("id", t.id());
                    task.put("state", t.state());
                    task.put("worker", t.workerId());
                    if (t.trace() != null) {
                        task.put("error", LinkReplicator.firstLine(t.trace()));
                    }
                    tasks.add(task);
                });
                connector.put("tasks", tasks);
                connectors.add(connector);
            }
            link.put("connectors", connectors);
            StraitDaemon.LagSample sample = lag.get(id);
            if (sample != null) {
                Map<String, long[]> byTopic = new TreeMap<>();
                sample.lag().forEach((tp, records) -> {
                    long[] acc = byTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
                    acc[0]++;
                    acc[1] += records;
                });
                List<Object> topics = new ArrayList<>();
                Map<String, Long> lostByTopic = sample.lostByTopic();
                var replicator = daemon.links().get(id);
                Map<String, Long> recreations = replicator == null ? Map.of() : replicator.sourceTopicRecreations();
                byTopic.forEach((topic, acc) -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("topic", topic);
                    t.put("target", settings == null ? null : targetName(settings, topic));
                    t.put("partitions", acc[0]);
                    t.put("lag", acc[1]);
                    // Removed at the source before the link copied them: lost, and counted.
                    t.put("lostAtSource", lostByTopic.getOrDefault(topic, 0L));
                    t.put("recreatedAtSource", recreations.getOrDefault(topic, 0L));
                    topics.add(t);
                });
                link.put("topics", topics);
                link.put("lag", sample.total());
                link.put("lostAtSource", lostByTopic.values().stream().mapToLong(Long::longValue).sum());
                link.put("lagSampledAt", sample.at().toString());
                sample.error().ifPresent(e -> link.put("lagError", e));
            }
            // Consumer groups as the link's checkpointer last saw them (failover).
            daemon.groups(id).ifPresent(groups -> link.put("groups", groups.toJson()));
            links.add(link);
        });
        body.put("links", links);
        StraitDaemon.ReloadState reload = daemon.reloadState();
        Map<String, Object> reloads = new LinkedHashMap<>();
        reloads.put("applied", reload.reloads());
        reloads.put("refused", reload.failures());
        reloads.put("lastAt", reload.lastAt().map(Object::toString).orElse(null));
        reloads.put("lastErrors", reload.lastErrors());
        body.put("reload", reloads);
        return body;
    }

    private Map<LinkId, LinkReplicator.Status> statuses() {
        Map<LinkId, LinkReplicator.Status> statuses = new TreeMap<>();
        daemon.links().forEach((id, link) -> statuses.put(id, link.status()));
        return statuses;
    }

    private static String targetName(LinkSettings link, String topic) {
        return link.naming() == Naming.IDENTITY ? topic : link.id().source() + link.separator() + topic;
    }

    private static boolean exactPath(HttpExchange exchange, String path) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            sendJson(exchange, 404, Map.of("error", "not found"));
            return false;
        }
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            sendJson(exchange, 405, Map.of("error", "only GET"));
            return false;
        }
        return true;
    }

    private static void sendJson(HttpExchange exchange, int code, Object body) throws IOException {
        send(exchange, code, "application/json", JSON.writeValueAsString(body) + "\n");
    }

    private static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
