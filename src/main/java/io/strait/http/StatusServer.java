package io.strait.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strait.daemon.StraitDaemon;
import io.strait.failover.FailoverPlanner;
import io.strait.failover.GroupCheckpointer;
import io.strait.replication.LinkReplicator;
import io.strait.topology.HttpSettings;
import io.strait.topology.LinkId;
import io.strait.topology.LinkSettings;
import io.strait.topology.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
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
    private static final ObjectWriter JSON = new ObjectMapper().writerWithDefaultPrettyPrinter();

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
        if (exactPath(exchange, "/healthy")) {
            Probes.Healthy healthy = Probes.healthy(daemon.alive());
            sendJson(exchange, healthy.code(), healthy);
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        if (exactPath(exchange, "/ready")) {
            SortedMap<LinkId, LinkReplicator.Status> statuses = new TreeMap<>();
            daemon.links().forEach((id, link) -> statuses.put(id, link.status()));
            Probes.Ready ready = Probes.ready(statuses);
            sendJson(exchange, ready.code(), ready);
        }
    }

    private void metrics(HttpExchange exchange) throws IOException {
        if (exactPath(exchange, "/metrics")) {
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        if (exactPath(exchange, "/status")) {
            sendJson(exchange, 200, report(daemon));
        }
    }

    /** The body of {@code /status}: every link with its state, tasks, topics and lag, and the reloads. */
    static StatusReport report(StatusSource daemon) {
        Topology topology = daemon.topology();
        Map<LinkId, StraitDaemon.LagSample> lag = daemon.lag();
        List<StatusReport.Link> links = new ArrayList<>();
        daemon.links().forEach((id, link) -> links.add(link(id, link, topology.links().get(id), lag.get(id),
                daemon.groups(id))));
        StraitDaemon.ReloadState reload = daemon.reloadState();
        return new StatusReport(topology.source(), links, new StatusReport.Reload(reload.reloads(), reload.failures(),
                reload.lastAt().map(Instant::toString).orElse(null), reload.lastErrors()));
    }

    private static StatusReport.Link link(LinkId id, StatusSource.Link link, LinkSettings settings,
                                          StraitDaemon.LagSample sample, Optional<GroupCheckpointer.Status> groups) {
        LinkReplicator.Status status = link.status();
        List<StatusReport.Problem> problems = status.problems().stream().map(p -> new StatusReport.Problem(
                p.reason().label(), p.subject(), p.message(), p.since().toString())).toList();
        List<StatusReport.Connector> connectors = status.connectors().stream().map(c -> new StatusReport.Connector(
                c.name(), c.connector().state(), c.connector().workerId(), c.tasks().stream().map(t ->
                        new StatusReport.Task(t.id(), t.state(), t.workerId(),
                                t.trace() == null ? null : LinkReplicator.firstLine(t.trace()))).toList())).toList();
        return new StatusReport.Link(id.toString(), status.state(), status.since().toString(),
                status.detail().orElse(null), settings == null ? null : settings.flows(), status.starts(),
                status.taskStarts(), status.events(), problems, connectors,
                sample == null ? null : topics(sample, link), sample == null ? null : sample.total(),
                sample == null ? null : sample.lostByTopic().values().stream().mapToLong(Long::longValue).sum(),
                sample == null ? null : sample.at().toString(), sample == null ? null : sample.error().orElse(null),
                groups.map(StatusServer::groups).orElse(null));
    }

    /** Each source topic of the lag sample: its name on the target, partitions, lag and losses. */
    private static List<StatusReport.Topic> topics(StraitDaemon.LagSample sample, StatusSource.Link link) {
        Map<String, Long> lost = sample.lostByTopic();
        Map<String, Long> recreations = link.sourceTopicRecreations();
        SortedMap<String, long[]> byTopic = new TreeMap<>();
        sample.lag().forEach((tp, records) -> {
            long[] partitionsAndLag = byTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
            partitionsAndLag[0]++;
            partitionsAndLag[1] += records;
        });
        List<StatusReport.Topic> topics = new ArrayList<>();
        byTopic.forEach((topic, partitionsAndLag) -> topics.add(new StatusReport.Topic(topic,
                link.targetTopic().apply(topic).orElse(null), partitionsAndLag[0], partitionsAndLag[1],
                // Removed at the source before the link copied them: lost, and counted.
                lost.getOrDefault(topic, 0L), recreations.getOrDefault(topic, 0L))));
        return topics;
    }

    /** Consumer groups as the link's checkpointer last saw them (failover), with the partitions not in sync. */
    private static StatusReport.Groups groups(GroupCheckpointer.Status status) {
        List<StatusReport.Group> groups = status.groups().values().stream().map(g -> {
            SortedMap<String, Integer> notSynced = new TreeMap<>();
            g.partitions().forEach((partitionStatus, n) -> {
                if (partitionStatus != FailoverPlanner.Status.OK) {
                    notSynced.put(partitionStatus.toString(), n);
                }
            });
            return new StatusReport.Group(g.group(), g.mm2CheckpointAge().map(Duration::toSeconds).orElse(null),
                    g.mm2Trail(), g.reread(), g.missed(), g.partitions().values().stream().mapToInt(Integer::intValue).sum(),
                    notSynced, g.checkpointed());
        }).toList();
        return new StatusReport.Groups(status.lastRound().map(Instant::toString).orElse(null),
                status.error().orElse(null), status.checkpointsWritten(), status.offsetsSynced(), groups);
    }

    private static boolean exactPath(HttpExchange exchange, String path) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            sendJson(exchange, 404, new Probes.NotServed("not found"));
            return false;
        }
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            sendJson(exchange, 405, new Probes.NotServed("only GET"));
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
