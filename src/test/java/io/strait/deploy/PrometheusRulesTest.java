package io.strait.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.http.StraitMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's alert rules (helm/strait/files/prometheus-rules.yaml) checked and unit-tested with
 * Prometheus's own promtool, and the rules' and dashboard's metric names checked against the metrics
 * Strait defines ({@link StraitMetrics#DEFINITIONS}).
 */
class PrometheusRulesTest {

    @TempDir
    Path dir;

    @Test
    void promtoolChecksTheRules() {
        ProcessResult check = ProcessResult.run(dir, Map.of(), Duration.ofMinutes(1),
                List.of(Prometheus.binary("promtool").toString(), "check", "rules", Prometheus.RULES.toString()));
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.out()).as(check.toString()).contains("SUCCESS: " + HelmChartTest.ALERTS.size() + " rules found");
    }

    @Test
    void promtoolUnitTestsPass() throws IOException {
        String promtool = Prometheus.binary("promtool").toString();
        Files.copy(Prometheus.RULES, dir.resolve("strait-rules.yaml"));
        Files.copy(Prometheus.RULES_TEST, dir.resolve("strait-rules-test.yaml"));
        ProcessResult test = ProcessResult.run(dir, Map.of(), Duration.ofMinutes(1),
                List.of(promtool, "test", "rules", "strait-rules-test.yaml"));
        assertThat(test.exitCode()).as(test.toString()).isZero();
        assertThat(test.out() + test.err()).as(test.toString()).contains("SUCCESS");
    }

    /** Each alert has a unit test where it fires and one where it does not. */
    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasAUnitTestThatFiresItAndOneThatDoesNot() throws IOException {
        Map<String, Object> tests = new Yaml().load(Files.readString(Prometheus.RULES_TEST));
        Map<String, Set<Boolean>> outcomes = new HashMap<>();
        for (Object test : (List<Object>) tests.get("tests")) {
            for (Object eval : (List<Object>) ((Map<String, Object>) test).get("alert_rule_test")) {
                Map<String, Object> e = (Map<String, Object>) eval;
                outcomes.computeIfAbsent((String) e.get("alertname"), a -> new TreeSet<>())
                        .add(!((List<Object>) e.get("exp_alerts")).isEmpty());
            }
        }
        for (String alert : HelmChartTest.ALERTS) {
            assertThat(outcomes.get(alert)).as(alert + ": fires and does not fire").containsExactly(false, true);
        }
        assertThat(outcomes.keySet()).containsExactlyInAnyOrderElementsOf(HelmChartTest.ALERTS);
    }

    @Test
    void rulesAndDashboardUseOnlyStraitsMetrics() throws IOException {
        Set<String> defined = StraitMetrics.DEFINITIONS.stream().map(StraitMetrics.Definition::name)
                .collect(Collectors.toSet());
        List<String> expressions = new ArrayList<>(alertExpressions().values());
        expressions.addAll(dashboardQueries().values());
        Set<String> used = new TreeSet<>();
        Pattern name = Pattern.compile("\\bstrait_[a-z_]+");
        for (String expression : expressions) {
            for (Matcher m = name.matcher(expression); m.find(); ) {
                used.add(m.group());
            }
        }
        assertThat(defined).as("metrics the rules and the dashboard use").containsAll(used);
        assertThat(used).as("every Strait metric on the dashboard or in a rule, but the build info's version labels")
                .hasSizeGreaterThanOrEqualTo(defined.size() - 1);
    }

    /** Each alert's expression, by alert name. */
    @SuppressWarnings("unchecked")
    static Map<String, String> alertExpressions() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(Prometheus.RULES));
        Map<String, String> expressions = new java.util.LinkedHashMap<>();
        for (Object group : (List<Object>) file.get("groups")) {
            for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
                Map<String, Object> r = (Map<String, Object>) rule;
                expressions.put((String) r.get("alert"), ((String) r.get("expr")).trim());
            }
        }
        return expressions;
    }

    /** Each dashboard query, keyed by its panel's title and its refId. */
    static Map<String, String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Prometheus.DASHBOARD.toFile());
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put(panel.path("title").asText() + " [" + target.path("refId").asText() + "]",
                        target.path("expr").asText());
            }
        }
        assertThat(queries).isNotEmpty();
        return queries;
    }
}
