package io.strait.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.http.StraitMetrics;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import io.strait.testing.TestProducer;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Strait's metrics, the chart's alert rules and its dashboard against a real Prometheus (Debian's
 * {@code prometheus} package; skipped when absent): a daemon replicates between real brokers,
 * Prometheus scrapes its {@code /metrics} every second and evaluates the rules, and the test reads
 * Prometheus's HTTP API.
 * <ul>
 *   <li>names, types and labels as Prometheus parsed them (metadata and series APIs) are those of
 *       {@link StraitMetrics#DEFINITIONS}, and {@code promtool check metrics} (Prometheus's own
 *       exposition parser and linter: base units, {@code _total} counters) finds no problem;</li>
 *   <li>every dashboard query returns data, but those that show a loss the test does not cause;</li>
 *   <li>every alert expression returns nothing while all is well, and every metric it reads has data;</li>
 *   <li>then a refused reload, a link to a cluster that is not there, and the daemon gone each make
 *       their alert's expression return data and the alert pending or firing in Prometheus.</li>
 * </ul>
 */
class PrometheusIT {

    static final Duration SETTLE = Duration.ofSeconds(120);
    static final String JOB = "strait";
    /** Dashboard panels that show only a loss at the source or a re-created topic: absent here. */
    static final Set<String> ABSENT_PANELS = Set.of("Source records lost before they were copied",
            "Source topics re-created");
    /** Alert inputs that exist only once something went wrong (a series from its first loss). */
    static final Set<String> ABSENT_METRICS = Set.of("strait_source_records_lost_total");

    /** What promtool's linter says of names Micrometer's binders give (not Strait's): accepted as they are. */
    static final Set<String> MICROMETER_LINT = Set.of(
            "process_cpu_time_ns_total metric names should not contain abbreviated units",
            "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

    static TestClusters clusters;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClusters() throws Exception {
        Prometheus.binary("prometheus");
        Prometheus.binary("promtool");
        clusters = TestClusters.start("a", "b");
        clusters.createTopic("a", "orders", 3, Map.of());
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void prometheusScrapesStraitAndEveryQueryAndAlertAnswers() throws Exception {
        Path file = dir.resolve("topology.conf");
        Files.writeString(file, topology(""));
        TopologyLoader loader = new TopologyLoader(Map.of());
        StraitDaemon daemon = new StraitDaemon(loader.load(file), file, loader);
        StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
        TestProducer producer = TestProducer.start(clusters, "a", "orders", 3, "p");
        Path rules = Files.copy(Prometheus.RULES, dir.resolve("strait-rules.yaml"));
        try (Prometheus prometheus = Prometheus.start(Files.createDirectories(dir.resolve("prometheus")), JOB,
                "127.0.0.1:" + http.port(), rules)) {
            daemon.start();
            await("records produced").atMost(Duration.ofSeconds(30)).until(() -> producer.acknowledged() > 30);
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                commit.put(new TopicPartition("orders", p), new OffsetAndMetadata(5));
            }
            clusters.admin("a").alterConsumerGroupOffsets("pit-readers", commit).all().get(30, TimeUnit.SECONDS);

            // Every metric family Strait shows in this run is in Prometheus, with the lag sampled
            // (every 10 s), MirrorMaker 2's latency measured and the group checkpointed.
            Set<String> expected = StraitMetrics.DEFINITIONS.stream().map(StraitMetrics.Definition::name)
                    .filter(n -> !n.startsWith("strait_source_")).collect(Collectors.toCollection(TreeSet::new));
            await("every metric scraped by Prometheus").atMost(SETTLE).pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(names(prometheus)).containsAll(expected));

            checkExposition(http.port());
            checkMetadataAndLabels(prometheus);
            checkDashboard(prometheus);
            checkAlertsWhileAllIsWell(prometheus);

            // A refused reload.
            replace(file, "flows { dr { type = link, source = a, target = nowhere } }");
            assertAlert(prometheus, "StraitReloadRefused", Map.of("job", JOB));

            // A valid reload that adds a link to a cluster nobody answers for: it stays down.
            replace(file, topology("""
                      clusters { gone { bootstrap-servers = "127.0.0.1:1" } }
                      flows { lost { type = link, source = a, target = gone, topics = [orders] } }
                    """));
            assertAlert(prometheus, "StraitLinkDown", Map.of("link", "a->gone", "source", "a", "target", "gone"));
            await("the reload alert resolved").atMost(Duration.ofSeconds(30))
                    .until(() -> prometheus.query(alertExpressions().get("StraitReloadRefused")).isEmpty());

            // No Strait answers Prometheus any more.
            http.close();
            assertAlert(prometheus, "StraitDown", Map.of());
        } finally {
            producer.close();
            daemon.stop();
            http.close();
        }
    }

    /** Prometheus's own text-format parser and linter on the scraped page: no problem reported. */
    private void checkExposition(int port) throws Exception {
        Path scraped = dir.resolve("metrics.txt");
        Files.writeString(scraped, Http.get(port, "/metrics").body());
        ProcessResult lint = ProcessResult.run(dir, Map.of(), Duration.ofMinutes(1), List.of("sh", "-c",
                "\"$0\" check metrics < \"$1\"", Prometheus.binary("promtool").toString(), scraped.toString()));
        // 0: parsed, no problem; 3: parsed, lint problems (listed one a line); anything else: not parsed.
        assertThat(lint.exitCode()).as(lint.toString()).isIn(0, 3);
        List<String> problems = (lint.out() + lint.err()).lines().filter(l -> !l.isBlank()).toList();
        assertThat(problems).as("promtool check metrics: only Micrometer's own JVM and process names, left as"
                + " its JVM dashboards know them").isSubsetOf(MICROMETER_LINT);
        System.out.printf("[prometheus] promtool check metrics: %d problems, none in Strait's metrics: %s%n",
                problems.size(), problems);
    }

    /** Names, types and label names as Prometheus parsed them from the scrape. */
    private static void checkMetadataAndLabels(Prometheus prometheus) throws Exception {
        Map<String, StraitMetrics.Definition> defined = new LinkedHashMap<>();
        StraitMetrics.DEFINITIONS.forEach(d -> defined.put(d.name(), d));
        JsonNode metadata = prometheus.api("/api/v1/targets/metadata", "match_target", "{job=\"" + JOB + "\"}");
        Map<String, String> types = new TreeMap<>();
        for (JsonNode m : metadata) {
            if (m.path("metric").asText().startsWith("strait_")) {
                types.put(m.path("metric").asText(), m.path("type").asText());
            }
        }
        assertThat(defined.keySet()).as("every strait_ family Prometheus saw is defined").containsAll(types.keySet());
        types.forEach((name, type) -> assertThat(type).as(name)
                .isEqualTo(defined.get(name).type().name().toLowerCase(java.util.Locale.ROOT)));

        JsonNode series = prometheus.api("/api/v1/series", "match[]", "{job=\"" + JOB + "\",__name__=~\"strait_.+\"}");
        Map<String, Set<List<String>>> labelSets = new TreeMap<>();
        Map<String, Set<String>> values = new TreeMap<>();
        for (JsonNode s : series) {
            List<String> labels = new ArrayList<>();
            s.fieldNames().forEachRemaining(labels::add);
            labels.removeAll(List.of("__name__", "job", "instance"));
            labels.sort(null);
            labelSets.computeIfAbsent(s.path("__name__").asText(), n -> new TreeSet<>(java.util.Comparator
                    .comparing(Object::toString))).add(labels);
            for (String label : List.of("state", "reason", "status")) {
                if (s.has(label)) {
                    values.computeIfAbsent(label, l -> new TreeSet<>()).add(s.path(label).asText());
                }
            }
        }
        labelSets.forEach((name, sets) -> assertThat(sets).as("label names of " + name)
                .containsExactly(defined.get(name).labels()));
        assertThat(values.get("state")).isSubsetOf("STARTING", "RUNNING", "DEGRADED", "FAILING", "STOPPED",
                "UNASSIGNED", "PAUSED", "FAILED", "RESTARTING");
        assertThat(values.get("reason")).containsExactlyInAnyOrder("target_missing", "target_partitions",
                "target_cleanup_policy", "target_config", "source_tasks", "checkpoint_tasks");
        System.out.printf("[prometheus] %d Strait families, %d series, label names as defined%n", labelSets.size(),
                series.size());
    }

    /** Every query of every panel, with Grafana's variables set as a user who picks "All" would. */
    private static void checkDashboard(Prometheus prometheus) throws Exception {
        Map<String, String> queries = PrometheusRulesTest.dashboardQueries();
        Map<String, Integer> answers = new LinkedHashMap<>();
        await("every dashboard query answers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    answers.clear();
                    for (Map.Entry<String, String> query : queries.entrySet()) {
                        String promql = query.getValue().replace("$__rate_interval", "15s").replace("$__range", "5m")
                                .replace("$job", JOB).replace("$link", ".+");
                        assertThat(promql).as(query.getKey()).doesNotContain("$");
                        answers.put(query.getKey(), prometheus.query(promql).size());
                    }
                    answers.forEach((panel, n) -> {
                        boolean absent = ABSENT_PANELS.stream().anyMatch(panel::startsWith);
                        assertThat(n).as(panel + ": series answered (" + answers + ")").matches(x -> absent ? x == 0 : x > 0);
                    });
                });
        System.out.printf("[prometheus] dashboard: %s%n", answers);
    }

    /** While the link copies, no alert's expression returns anything, and each reads metrics that have data. */
    private static void checkAlertsWhileAllIsWell(Prometheus prometheus) throws Exception {
        Pattern metric = Pattern.compile("\\b(strait_[a-z_]+|up)\\{");
        for (Map.Entry<String, String> alert : alertExpressions().entrySet()) {
            assertThat(prometheus.query(alert.getValue())).as(alert.getKey() + ": " + alert.getValue()).isEmpty();
            for (Matcher m = metric.matcher(alert.getValue()); m.find(); ) {
                String input = m.group(1) + "{job=\"" + JOB + "\"}";
                if (ABSENT_METRICS.contains(m.group(1))) {
                    assertThat(prometheus.query(input)).as(alert.getKey() + " reads " + input).isEmpty();
                } else {
                    assertThat(prometheus.query(input)).as(alert.getKey() + " reads " + input).isNotEmpty();
                }
            }
        }
    }

    /** The alert's expression returns a series with these labels, and Prometheus has the alert pending or firing. */
    private static void assertAlert(Prometheus prometheus, String alert, Map<String, String> labels) {
        String expression = alertExpressions().get(alert);
        await(alert).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode result = prometheus.query(expression);
            assertThat(result).as(expression).anySatisfy(r -> labels.forEach((k, v) ->
                    assertThat(r.path("metric").path(k).asText()).as(k).isEqualTo(v)));
            JsonNode alerts = prometheus.api("/api/v1/alerts").path("alerts");
            assertThat(alerts).as(alerts.toString()).anySatisfy(a -> {
                assertThat(a.path("labels").path("alertname").asText()).isEqualTo(alert);
                assertThat(a.path("state").asText()).isIn("pending", "firing");
            });
        });
        System.out.printf("[prometheus] %s: expression returns data, alert pending or firing%n", alert);
    }

    private static Map<String, String> alertExpressions() {
        try {
            return PrometheusRulesTest.alertExpressions();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> names(Prometheus prometheus) throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode n : prometheus.api("/api/v1/label/__name__/values")) {
            names.add(n.asText());
        }
        return names;
    }

    private static String topology(String more) {
        return clusters.topology("""
                  reload.interval = 200ms
                  flows {
                    dr { type = link, source = a, target = b, topics = [orders], groups = ["pit-.*"], refresh-interval = 2s,
                      mirror { "emit.checkpoints.interval.seconds" = 2, "sync.group.offsets.interval.seconds" = 2 } }
                  }
                """ + more);
    }

    private void replace(Path file, String text) throws Exception {
        Path next = dir.resolve("topology.conf.next");
        Files.writeString(next, text.contains("strait {") ? text : clusters.topology("  reload.interval = 200ms\n" + text));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
