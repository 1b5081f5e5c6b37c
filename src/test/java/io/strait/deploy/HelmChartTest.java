package io.strait.deploy;

import io.strait.replication.KafkaSettingsValidator;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Helm chart (helm/strait), checked offline with a real helm: lint and render it with the default
 * values and with every ci/*.yaml, then read what it renders. Also: the schema refuses unknown keys and
 * wrong types, no secret value is ever rendered, and each ci/ topology passes Strait's own validation.
 */
class HelmChartTest {

    private static final Path CHART = Project.dir().resolve("helm/strait");
    private static final String RELEASE = "strait";
    private static final String NAMESPACE = "replication";
    private static final String SENTINEL = "s3cr3t-sentinel";
    /** Stands for the chart's own values.yaml alone, with no -f. */
    private static final String DEFAULTS = "values.yaml";

    private static Helm helm;

    @TempDir
    Path dir;

    @BeforeAll
    static void installHelm() {
        helm = Helm.install(Project.dir());
    }

    /** The default values and every values file under ci/. */
    static Stream<String> valuesFiles() throws IOException {
        List<String> files = new ArrayList<>();
        files.add(DEFAULTS);
        try (Stream<Path> ci = Files.list(CHART.resolve("ci"))) {
            ci.map(p -> "ci/" + p.getFileName()).filter(p -> p.endsWith(".yaml")).sorted().forEach(files::add);
        }
        assertThat(files).as("ci/ values files").hasSizeGreaterThanOrEqualTo(9);
        return files.stream();
    }

    /** Values files with a topology of their own (not an existingConfigMap), and the default values. */
    static Stream<String> valuesFilesWithTopology() throws IOException {
        return valuesFiles().filter(f -> isBlank(effectiveValues(f).get("existingConfigMap")));
    }

    @Test
    void chartAppVersionIsTheProjectVersion() throws IOException {
        Map<String, Object> chart = loadMap(Files.readString(CHART.resolve("Chart.yaml")));
        assertThat(chart.get("apiVersion")).isEqualTo("v2");
        assertThat(chart.get("appVersion")).as("appVersion in helm/strait/Chart.yaml: keep it equal to pom.xml's"
                + " version").isEqualTo(Project.version());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void lintsStrictlyAndRenders(String valuesFile) {
        try {
            lintAndCheckRendering(valuesFile);
        } catch (AssertionError e) {
            throw new AssertionError("With " + valuesFile + ": " + e.getMessage(), e);
        }
    }

    private static void lintAndCheckRendering(String valuesFile) {
        ProcessResult lint = helm.run(CHART, withValues(valuesFile, "lint", "--strict", "."));
        assertThat(lint.exitCode()).as(lint.toString()).isZero();
        assertThat(lint.out() + lint.err()).as(lint.toString()).doesNotContain("[WARNING]").doesNotContain("[ERROR]");

        Map<String, Object> values = effectiveValues(valuesFile);
        Rendered rendered = render(valuesFile);
        checkDeployment(rendered, values);
        checkService(rendered, values);
        checkConfigMap(rendered, values);
        checkTestPod(rendered);
        assertThat(rendered.kinds()).as("the chart never renders a Secret").doesNotContain("Secret");
        for (Map<String, Object> document : rendered.documents()) {
            Map<String, Object> labels = map(path(document, "metadata.labels"));
            assertThat(labels).as("labels of %s", name(document))
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/version", Project.version())
                    .containsKey("app.kubernetes.io/name").containsKey("helm.sh/chart");
        }
        boolean pdb = Boolean.TRUE.equals(path(values, "podDisruptionBudget.enabled"));
        boolean monitor = Boolean.TRUE.equals(path(values, "serviceMonitor.enabled"));
        boolean policy = Boolean.TRUE.equals(path(values, "networkPolicy.enabled"));
        assertThat(rendered.kinds().contains("PodDisruptionBudget")).isEqualTo(pdb);
        assertThat(rendered.kinds().contains("ServiceMonitor")).isEqualTo(monitor);
        assertThat(rendered.kinds().contains("NetworkPolicy")).isEqualTo(policy);
        if (policy) {
            checkNetworkPolicy(rendered);
        }
        boolean rules = Boolean.TRUE.equals(path(values, "prometheusRule.enabled"));
        boolean dashboard = Boolean.TRUE.equals(path(values, "grafanaDashboard.enabled"));
        assertThat(rendered.kinds().contains("PrometheusRule")).isEqualTo(rules);
        assertThat(dashboards(rendered)).hasSize(dashboard ? 1 : 0);
        if (rules) {
            checkPrometheusRule(rendered, values);
        }
        if (dashboard) {
            checkDashboard(rendered, values);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFilesWithTopology")
    void topologyPassesStraitsValidation(String valuesFile) {
        Map<String, Object> values = effectiveValues(valuesFile);
        // Problems name lines of the topology text, not of the values file.
        String description = "helm/strait/" + valuesFile + " topology";
        try {
            Topology topology = new TopologyLoader(environmentOf(values), new KafkaSettingsValidator())
                    .parse((String) values.get("topology"), description);
            assertThat(topology.links()).as(description).isNotEmpty();
            assertThat(topology.warnings()).as(description).isEmpty();
        } catch (TopologyException e) {
            fail(description + ": the topology is invalid with the environment the chart gives the pod:\n"
                    + e.getMessage());
        }
    }

    @Test
    void theConfigMapHoldsTheTopologyByteForByte() throws IOException {
        // Indented first line, tabs, trailing spaces, quotes, Go template braces, ${VAR}, no final newline.
        String topology = "  # indented first line\t\n"
                + "strait {\n"
                + "\tclusters {\n"
                + "    east { bootstrap-servers = \"e:9092\" }   \n"
                + "    west { bootstrap-servers = 'w:9092', note = \"{{ .Values.image }} ${WEST_JAAS} é\" }\n"
                + "  }\n\n\n"
                + "  flows { dr { type = link, source = east, target = west } }\n"
                + "}";
        Path file = Files.writeString(dir.resolve("topology.conf"), topology);
        Rendered rendered = render(DEFAULTS, "--set-file", "topology=" + file);
        assertThat(rendered.one("ConfigMap").get("data")).isEqualTo(Map.of("topology.conf", topology));
    }

    @Test
    void theChecksumAnnotationFollowsTheTopology() throws IOException {
        Path changed = Files.writeString(dir.resolve("changed.conf"),
                ((String) effectiveValues(DEFAULTS).get("topology")).replace("kafka-west:9092", "kafka-west:9093"));
        String before = checksum(render(DEFAULTS));
        assertThat(before).matches("[0-9a-f]{64}");
        assertThat(checksum(render(DEFAULTS))).as("the same topology gives the same checksum").isEqualTo(before);
        assertThat(checksum(render(DEFAULTS, "--set-file", "topology=" + changed))).isNotEqualTo(before);
        // Another value that is not the topology leaves it alone.
        assertThat(checksum(render(DEFAULTS, "--set", "replicaCount=2"))).isEqualTo(before);

        Map<String, Object> live = podTemplateAnnotations(render(DEFAULTS, "--set", "rollOnTopologyChange=false"));
        assertThat(live).doesNotContainKey("checksum/config");
    }

    @Test
    void anExistingConfigMapIsMountedAndNoneIsRendered() {
        Rendered rendered = render("ci/existing-configmap.yaml");
        assertThat(rendered.kinds()).doesNotContain("ConfigMap");
        assertThat(podTemplateAnnotations(rendered)).doesNotContainKey("checksum/config");
        Map<String, Object> volume = volume(rendered, "topology");
        assertThat(path(volume, "configMap.name")).isEqualTo("strait-topology");
        assertThat(path(volume, "configMap.items")).isEqualTo(List.of(Map.of("key", "strait.conf", "path",
                "topology.conf")));
    }

    @Test
    void secretsAreOnlyReferencedNeverRendered() {
        // As if the operator's shell held the secrets: nothing may carry them into the manifests.
        Map<String, String> shell = Map.of("WEST_JAAS", SENTINEL, "WEST_TRUSTSTORE_PASSWORD", SENTINEL,
                "HELM_SECRET", SENTINEL);
        ProcessResult result = helm.run(CHART, shell, withValues("ci/secrets.yaml", "template", RELEASE, ".",
                "--namespace", NAMESPACE));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as("rendered output").doesNotContain(SENTINEL);
        Rendered rendered = Rendered.parse(result.out());
        assertThat(rendered.kinds()).doesNotContain("Secret");
        assertThat(path(rendered.one("ConfigMap"), "data.topology\\.conf")).asString()
                .contains("\"sasl.jaas.config\" = ${WEST_JAAS}");

        Map<String, Map<String, Object>> env = containerEnv(rendered);
        assertThat(env.get("WEST_JAAS")).isEqualTo(Map.of("name", "WEST_JAAS", "valueFrom", Map.of("secretKeyRef",
                Map.of("name", "kafka-west-credentials", "key", "sasl.jaas.config"))));
        assertThat(env.get("WEST_TRUSTSTORE_PASSWORD")).isEqualTo(Map.of("name", "WEST_TRUSTSTORE_PASSWORD",
                "valueFrom", Map.of("secretKeyRef", Map.of("name", "kafka-west-tls", "key", "truststore.password"))));
        assertThat(path(container(rendered), "envFrom")).isEqualTo(List.of(Map.of("secretRef",
                Map.of("name", "kafka-west-extra", "optional", true))));

        // secretEnv has no place for a value: one written there is refused, and not echoed.
        Path sneaky = write("sneaky.yaml", "secretEnv:\n  WEST_JAAS:\n    secretName: kafka-west-credentials\n"
                + "    key: sasl.jaas.config\n    value: " + SENTINEL + "\n");
        ProcessResult refused = helm.run(CHART, "template", RELEASE, ".", "-f", sneaky.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.out()).doesNotContain(SENTINEL);
        assertThat(refused.err()).as(refused.toString()).contains("/secretEnv/WEST_JAAS").contains("'value'");
    }

    @Test
    void secretFilesAreMountedByReferenceNeverRendered() {
        Map<String, String> shell = Map.of("EAST_JAAS", SENTINEL, "HELM_SECRET", SENTINEL);
        ProcessResult result = helm.run(CHART, shell, withValues("ci/secret-files.yaml", "template", RELEASE, ".",
                "--namespace", NAMESPACE));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as("rendered output").doesNotContain(SENTINEL);
        Rendered rendered = Rendered.parse(result.out());
        assertThat(rendered.kinds()).doesNotContain("Secret");
        assertThat(path(rendered.one("ConfigMap"), "data.topology\\.conf")).asString()
                .contains("\"${directory:/etc/strait-secrets/west-credentials:sasl.jaas.config}\"")
                .contains("\"${env:EAST_JAAS}\"");
        assertThat(volume(rendered, "secret-west-credentials")).isEqualTo(Map.of("name", "secret-west-credentials",
                "secret", Map.of("secretName", "kafka-west-credentials")));
        assertThat(volume(rendered, "secret-west-tls")).isEqualTo(Map.of("name", "secret-west-tls", "secret",
                Map.of("secretName", "kafka-west-tls", "items", List.of(
                        Map.of("key", "truststore.p12", "path", "truststore.p12"),
                        Map.of("key", "store.properties", "path", "store.properties")))));
        assertThat(list(container(rendered).get("volumeMounts"))).contains(
                Map.of("name", "secret-west-credentials", "mountPath", "/etc/strait-secrets/west-credentials",
                        "readOnly", true),
                Map.of("name", "secret-west-tls", "mountPath", "/etc/kafka-west-tls", "readOnly", true));
        assertThat(containerEnv(rendered).get("EAST_JAAS")).isEqualTo(Map.of("name", "EAST_JAAS", "valueFrom",
                Map.of("secretKeyRef", Map.of("name", "kafka-east-credentials", "key", "sasl.jaas.config"))));

        // secretMounts has no place for a value either.
        Path sneaky = write("sneaky.yaml", "secretMounts:\n  west:\n    secretName: kafka-west-credentials\n"
                + "    data: " + SENTINEL + "\n");
        ProcessResult refused = helm.run(CHART, "template", RELEASE, ".", "-f", sneaky.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.out()).doesNotContain(SENTINEL);
        assertThat(refused.err()).as(refused.toString()).contains("/secretMounts/west").contains("'data'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "replicas: 2",                                          // unknown key (replicaCount is meant)
        "service:\n  portt: 8080",                              // unknown nested key
        "serviceMonitor:\n  enabled: true\n  path: /metrics",   // unknown key in an enabled block
        "replicaCount: \"3\"",                                  // wrong type
        "topology:\n  strait:\n    clusters: {}",              // HOCON as YAML instead of a string
        "httpPort: 80800",                                      // out of range
        "podAntiAffinity: maybe",                               // not one of soft, hard, none
        "secretEnv:\n  WEST_JAAS: kafka-west-credentials",      // a string where a reference is needed
        "secretMounts:\n  west: kafka-west-credentials",        // the same for a Secret mounted as files
        "secretMounts:\n  West_Tls:\n    secretName: s",       // not a volume name (a DNS label)
        "secretMounts:\n  west:\n    secretName: s\n    mountPath: etc/west", // a relative path
        "env:\n  - name: EAST_BOOTSTRAP\n    value: 9092",      // a number where Kubernetes needs a string
        "logging:\n  format: xml",                             // not text or json
        "logging:\n  level: LOUD",                             // not a log level
        "logging:\n  levle: DEBUG",                            // a typo
    })
    void theSchemaRefusesUnknownKeysAndWrongTypes(String badValues) {
        Path file = write("bad.yaml", badValues + "\n");
        for (String command : List.of("lint", "template")) {
            ProcessResult result = command.equals("lint")
                    ? helm.run(CHART, "lint", "--strict", ".", "-f", file.toString())
                    : helm.run(CHART, "template", RELEASE, ".", "-f", file.toString());
            assertThat(result.exitCode()).as(result.toString()).isNotZero();
            assertThat(result.out() + result.err()).as(result.toString()).contains("schema");
        }
    }

    @Test
    void notesTellHowToLookAtTheLinks() {
        ProcessResult install = helm.run(CHART, "install", RELEASE, ".", "--namespace", NAMESPACE,
                "--dry-run=client");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        String notes = install.out().substring(install.out().indexOf("NOTES:"));
        assertThat(notes).as(install.toString())
                .contains("kubectl --namespace replication port-forward service/strait 8080:8080")
                .contains("bin/strait status --url http://localhost:8080")
                .contains("helm test strait --namespace replication");
    }

    @Test
    void severalReplicasShareTheLinksAndSpreadOut() {
        Rendered rendered = render("ci/multi-replica.yaml");
        Map<String, Object> deployment = rendered.one("Deployment");
        assertThat(path(deployment, "spec.replicas")).isEqualTo(3);
        assertThat(path(deployment, "spec.template.spec.affinity.podAntiAffinity"
                + ".requiredDuringSchedulingIgnoredDuringExecution")).isNotNull();
        assertThat(path(rendered.one("PodDisruptionBudget"), "spec.maxUnavailable")).isEqualTo(1);
        assertThat(path(rendered.one("PodDisruptionBudget"), "spec.selector.matchLabels"))
                .isEqualTo(path(deployment, "spec.selector.matchLabels"));

        // One replica by default, and soft anti-affinity: pods spread when the nodes allow it.
        Map<String, Object> single = render(DEFAULTS).one("Deployment");
        assertThat(path(single, "spec.replicas")).isEqualTo(1);
        assertThat(path(single, "spec.template.spec.affinity.podAntiAffinity"
                + ".preferredDuringSchedulingIgnoredDuringExecution")).isNotNull();
    }

    // ---- checks applied to every rendering ----

    private static void checkDeployment(Rendered rendered, Map<String, Object> values) {
        Map<String, Object> deployment = rendered.one("Deployment");
        Map<String, Object> pod = map(path(deployment, "spec.template.spec"));
        Map<String, Object> container = container(rendered);
        assertThat(map(path(deployment, "spec.template.metadata.labels")))
                .containsAllEntriesOf(map(path(deployment, "spec.selector.matchLabels")));
        assertThat(path(deployment, "spec.replicas")).isEqualTo(values.get("replicaCount"));

        // Image: the tag defaults to the appVersion.
        String image = (String) container.get("image");
        if (!isBlank(path(values, "image.digest"))) {
            assertThat(image).isEqualTo(path(values, "image.repository") + "@" + path(values, "image.digest"));
        } else if (!isBlank(path(values, "image.tag"))) {
            assertThat(image).isEqualTo(path(values, "image.repository") + ":" + path(values, "image.tag"));
        } else {
            assertThat(image).isEqualTo(path(values, "image.repository") + ":" + Project.version());
        }
        assertThat(container).doesNotContainKeys("command", "args");

        // Ports: http (probes, Service) and internal (between Strait pods).
        Map<String, Object> ports = new HashMap<>();
        for (Object port : list(container.get("ports"))) {
            ports.put((String) map(port).get("name"), map(port).get("containerPort"));
        }
        assertThat(ports).isEqualTo(Map.of("http", values.get("httpPort"), "internal", values.get("internalPort")));

        // Probes: liveness on /healthy, readiness on /ready, on the http port.
        assertThat(path(container, "livenessProbe.httpGet")).isEqualTo(Map.of("path", "/healthy", "port", "http"));
        assertThat(path(container, "startupProbe.httpGet")).isEqualTo(Map.of("path", "/healthy", "port", "http"));
        assertThat(path(container, "readinessProbe.httpGet")).isEqualTo(Map.of("path", "/ready", "port", "http"));

        // The daemon's environment.
        Map<String, Map<String, Object>> env = containerEnv(rendered);
        assertThat(env.get("STRAIT_ADVERTISED_HOST")).isEqualTo(Map.of("name", "STRAIT_ADVERTISED_HOST",
                "valueFrom", Map.of("fieldRef", Map.of("fieldPath", "status.podIP"))));
        assertThat(env.get("STRAIT_SCALE_OUT")).containsEntry("value", "true");
        assertThat(env.get("STRAIT_HTTP_PORT")).containsEntry("value", String.valueOf(values.get("httpPort")));
        assertThat(env.get("STRAIT_INTERNAL_PORT")).containsEntry("value",
                String.valueOf(values.get("internalPort")));
        assertThat(env.get("STRAIT_OPTS")).containsEntry("value", values.get("javaOpts"));
        assertThat((String) env.get("STRAIT_OPTS").get("value")).contains("-XX:MaxRAMPercentage=");
        assertThat(env.get("STRAIT_LOG_FORMAT")).containsEntry("value", path(values, "logging.format"));
        assertThat(env.get("STRAIT_LOG_LEVEL")).containsEntry("value", path(values, "logging.level"));
        assertThat(env.get("STRAIT_KAFKA_LOG_LEVEL")).containsEntry("value", path(values, "logging.kafkaLevel"));
        for (Map.Entry<String, Object> secret : map(values.get("secretEnv")).entrySet()) {
            Map<String, Object> ref = map(secret.getValue());
            assertThat(env.get(secret.getKey())).as("env " + secret.getKey()).doesNotContainKey("value");
            assertThat(path(env.get(secret.getKey()), "valueFrom.secretKeyRef.name")).isEqualTo(ref.get("secretName"));
            assertThat(path(env.get(secret.getKey()), "valueFrom.secretKeyRef.key")).isEqualTo(ref.get("key"));
        }

        // Restricted security context, read-only root filesystem, /tmp on an emptyDir.
        assertThat(path(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(path(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        assertThat(path(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(path(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(path(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
        Map<String, Map<String, Object>> mounts = new HashMap<>();
        for (Object mount : list(container.get("volumeMounts"))) {
            mounts.put((String) map(mount).get("mountPath"), map(mount));
        }
        // Secrets mounted as files: a read-only secret volume each, at its mountPath or /etc/strait-secrets/NAME.
        for (Map.Entry<String, Object> secret : map(values.get("secretMounts")).entrySet()) {
            Map<String, Object> ref = map(secret.getValue());
            String at = ref.containsKey("mountPath") ? (String) ref.get("mountPath") : "/etc/strait-secrets/" + secret.getKey();
            assertThat(mounts.get(at)).as("mount of secretMounts." + secret.getKey())
                    .containsEntry("name", "secret-" + secret.getKey()).containsEntry("readOnly", true);
            Map<String, Object> volume = map(volume(rendered, "secret-" + secret.getKey()).get("secret"));
            assertThat(volume).containsEntry("secretName", ref.get("secretName"));
            assertThat(volume.get("items")).isEqualTo(ref.get("items"));
            assertThat(volume.get("optional")).isEqualTo(ref.get("optional"));
        }
        assertThat(mounts.get("/tmp")).isNotNull();
        assertThat(volume(rendered, (String) mounts.get("/tmp").get("name"))).containsKey("emptyDir");
        // The topology: a whole directory (no subPath), so the kubelet's updates reach the daemon.
        assertThat(mounts.get("/etc/strait")).containsEntry("name", "topology").containsEntry("readOnly", true)
                .doesNotContainKey("subPath");
        List<Object> items = list(path(volume(rendered, "topology"), "configMap.items"));
        assertThat(items).hasSize(1);
        assertThat(map(items.get(0)).get("path")).isEqualTo("topology.conf");

        // The pods' ServiceAccount exists when the chart creates it.
        if (Boolean.TRUE.equals(path(values, "serviceAccount.create"))) {
            assertThat(rendered.named("ServiceAccount", (String) pod.get("serviceAccountName"))).isNotNull();
        }
    }

    private static void checkService(Rendered rendered, Map<String, Object> values) {
        Map<String, Object> service = rendered.one("Service");
        assertThat(path(service, "spec.selector")).isEqualTo(path(rendered.one("Deployment"),
                "spec.selector.matchLabels"));
        // Only HTTP: the internal port stays between Strait pods.
        assertThat(path(service, "spec.ports")).isEqualTo(List.of(Map.of("name", "http", "port",
                path(values, "service.port"), "targetPort", "http", "protocol", "TCP")));
    }

    private static void checkConfigMap(Rendered rendered, Map<String, Object> values) {
        if (!isBlank(values.get("existingConfigMap"))) {
            assertThat(rendered.kinds()).doesNotContain("ConfigMap");
            return;
        }
        List<Map<String, Object>> topologies = rendered.documents().stream()
                .filter(d -> "ConfigMap".equals(d.get("kind")) && !dashboards(rendered).contains(d)).toList();
        assertThat(topologies).as("topology ConfigMaps").hasSize(1);
        Map<String, Object> configMap = topologies.get(0);
        assertThat(configMap.get("data")).isEqualTo(Map.of("topology.conf", values.get("topology")));
        assertThat(path(volume(rendered, "topology"), "configMap.name")).isEqualTo(path(configMap, "metadata.name"));
        if (Boolean.TRUE.equals(values.get("rollOnTopologyChange"))) {
            assertThat(checksum(rendered)).isEqualTo(sha256Hex((String) values.get("topology")));
        }
    }

    private static void checkTestPod(Rendered rendered) {
        Map<String, Object> test = rendered.documents().stream()
                .filter(d -> "test".equals(path(d, "metadata.annotations.helm\\.sh/hook"))).findFirst()
                .orElseThrow(() -> new AssertionError("no helm test pod"));
        String command = String.join(" ", list(path(test, "spec.containers")).stream()
                .flatMap(c -> list(map(c).get("command")).stream()).map(String::valueOf).toList());
        assertThat(command).contains("http://" + path(rendered.one("Service"), "metadata.name") + ":")
                .endsWith("/ready");
        // Not one of the pods the Service or the anti-affinity select.
        assertThat(map(path(test, "metadata.labels")))
                .doesNotContainEntry("app.kubernetes.io/name", path(rendered.one("Deployment"),
                        "spec.selector.matchLabels.app\\.kubernetes\\.io/name"));
    }

    /** The alerts the chart promises (README, values.yaml); each has a promtool unit test (PrometheusRulesTest). */
    static final List<String> ALERTS = List.of("StraitLinkDown", "StraitTaskFailed", "StraitLagGrowingNothingCopied",
            "StraitHighReplicationLatency", "StraitReloadRefused", "StraitDown", "StraitSourceRecordsLost",
            "StraitLinkDegraded");

    /** files/prometheus-rules.yaml as is, for the job of the release's ServiceMonitor (its Service's name). */
    private static void checkPrometheusRule(Rendered rendered, Map<String, Object> values) {
        Map<String, Object> rule = rendered.one("PrometheusRule");
        assertThat(rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        String job = isBlank(path(values, "prometheusRule.job")) ? (String) path(rendered.one("Service"), "metadata.name")
                : (String) path(values, "prometheusRule.job");
        String file;
        try {
            file = Files.readString(CHART.resolve("files/prometheus-rules.yaml"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(file).contains("job=\"strait\"");
        Object expected = loadMap(file.replace("job=\"strait\"", "job=\"" + job + "\"")).get("groups");
        assertThat(path(rule, "spec.groups")).isEqualTo(expected);
        assertThat(list(path(rule, "spec.groups")).stream().flatMap(g -> list(map(g).get("rules")).stream())
                .map(r -> map(r).get("alert")).toList()).containsExactlyInAnyOrderElementsOf(ALERTS);
        assertThat(map(path(rule, "metadata.labels"))).containsAllEntriesOf(
                Objects.requireNonNullElse(map(path(values, "prometheusRule.labels")), Map.of()));
    }

    /** files/grafana-dashboard.json byte for byte, in a ConfigMap Grafana's sidecar picks up. */
    private static void checkDashboard(Rendered rendered, Map<String, Object> values) {
        Map<String, Object> configMap = dashboards(rendered).get(0);
        String file;
        try {
            file = Files.readString(CHART.resolve("files/grafana-dashboard.json"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(path(configMap, "data.strait\\.json")).isEqualTo(file.stripTrailing());
        Object annotations = path(values, "grafanaDashboard.annotations");
        if (annotations != null && !map(annotations).isEmpty()) {
            assertThat(map(path(configMap, "metadata.annotations"))).containsAllEntriesOf(map(annotations));
        }
    }

    /** ConfigMaps labelled grafana_dashboard: "1". */
    private static List<Map<String, Object>> dashboards(Rendered rendered) {
        return rendered.documents().stream().filter(d -> "ConfigMap".equals(d.get("kind"))
                && "1".equals(map(path(d, "metadata.labels")).get("grafana_dashboard"))).toList();
    }

    private static void checkNetworkPolicy(Rendered rendered) {
        Map<String, Object> policy = rendered.one("NetworkPolicy");
        Object selector = path(rendered.one("Deployment"), "spec.selector.matchLabels");
        assertThat(path(policy, "spec.podSelector.matchLabels")).isEqualTo(selector);
        List<Object> rules = list(path(policy, "spec.ingress"));
        Map<String, Object> internal = rules.stream().map(HelmChartTest::map)
                .filter(r -> list(r.get("ports")).stream().anyMatch(p -> "internal".equals(map(p).get("port"))))
                .findFirst().orElseThrow(() -> new AssertionError("no rule for the internal port"));
        assertThat(internal.get("from")).isEqualTo(List.of(Map.of("podSelector", Map.of("matchLabels", selector))));
    }

    // ---- rendering and reading ----

    private static Rendered render(String valuesFile, String... more) {
        List<String> args = new ArrayList<>(List.of(withValues(valuesFile, "template", RELEASE, ".", "--namespace",
                NAMESPACE)));
        args.addAll(List.of(more));
        ProcessResult result = helm.run(CHART, args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).as(result.toString()).isEmpty();
        return Rendered.parse(result.out());
    }

    private static String[] withValues(String valuesFile, String... args) {
        if (DEFAULTS.equals(valuesFile)) {
            return args;
        }
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-f";
        all[args.length + 1] = valuesFile;
        return all;
    }

    /** values.yaml with a ci/ file laid over it, as helm merges them. */
    static Map<String, Object> effectiveValues(String valuesFile) {
        try {
            Map<String, Object> values = loadMap(Files.readString(CHART.resolve("values.yaml")));
            if (!DEFAULTS.equals(valuesFile)) {
                values = merge(values, loadMap(Files.readString(CHART.resolve(valuesFile))));
            }
            return values;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        over.forEach((key, value) -> merged.merge(key, value, (a, b) -> a instanceof Map<?, ?> && b instanceof Map<?, ?>
                ? merge(map(a), map(b)) : b));
        return merged;
    }

    /**
     * The environment a pod of this release has, as far as the values tell: the daemon's own variables,
     * {@code env} (placeholders for valueFrom) and {@code secretEnv} (placeholders). Variables from
     * {@code envFrom} are unknown here, so a topology may read them only as optional ({@code ${?VAR}}).
     */
    private static Map<String, String> environmentOf(Map<String, Object> values) {
        Map<String, String> env = new HashMap<>();
        // What templates/deployment.yaml sets, with the values it takes them from (the pod IP made up).
        env.put("STRAIT_HTTP_PORT", String.valueOf(values.getOrDefault("httpPort", 8080)));
        env.put("STRAIT_INTERNAL_PORT", String.valueOf(values.getOrDefault("internalPort", 8083)));
        env.put("STRAIT_ADVERTISED_HOST", "10.1.2.3");
        env.put("STRAIT_SCALE_OUT", "true");
        env.put("STRAIT_OPTS", String.valueOf(values.getOrDefault("javaOpts", "")));
        env.put("STRAIT_LOG_FORMAT", String.valueOf(path(values, "logging.format")));
        env.put("STRAIT_LOG_LEVEL", String.valueOf(path(values, "logging.level")));
        env.put("STRAIT_KAFKA_LOG_LEVEL", String.valueOf(path(values, "logging.kafkaLevel")));
        for (Object entry : list(values.get("env"))) {
            Map<String, Object> var = map(entry);
            env.put((String) var.get("name"), var.containsKey("value") ? (String) var.get("value") : "from-valueFrom");
        }
        for (String name : map(values.get("secretEnv")).keySet()) {
            env.put(name, "from-a-secret");
        }
        return env;
    }

    private static String checksum(Rendered rendered) {
        return (String) podTemplateAnnotations(rendered).get("checksum/config");
    }

    private static Map<String, Object> podTemplateAnnotations(Rendered rendered) {
        Object annotations = path(rendered.one("Deployment"), "spec.template.metadata.annotations");
        return annotations == null ? Map.of() : map(annotations);
    }

    private static Map<String, Object> container(Rendered rendered) {
        List<Object> containers = list(path(rendered.one("Deployment"), "spec.template.spec.containers"));
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    private static Map<String, Map<String, Object>> containerEnv(Rendered rendered) {
        Map<String, Map<String, Object>> env = new LinkedHashMap<>();
        for (Object var : list(container(rendered).get("env"))) {
            Map<String, Object> entry = map(var);
            assertThat(env.put((String) entry.get("name"), entry)).as("env %s set twice", entry.get("name")).isNull();
        }
        return env;
    }

    private static Map<String, Object> volume(Rendered rendered, String name) {
        return list(path(rendered.one("Deployment"), "spec.template.spec.volumes")).stream().map(HelmChartTest::map)
                .filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The documents helm rendered, parsed strictly (a duplicate key fails). */
    record Rendered(List<Map<String, Object>> documents) {

        static Rendered parse(String yaml) {
            List<Map<String, Object>> documents = new ArrayList<>();
            for (Object document : yaml().loadAll(yaml)) {
                if (document != null) {
                    documents.add(map(document));
                }
            }
            assertThat(documents).as("rendered documents").isNotEmpty();
            return new Rendered(documents);
        }

        List<String> kinds() {
            return documents.stream().map(d -> (String) d.get("kind")).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
            assertThat(found).as("documents of kind " + kind).hasSize(1);
            return found.get(0);
        }

        Map<String, Object> named(String kind, String name) {
            return documents.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(path(d, "metadata.name")))
                    .findFirst().orElse(null);
        }
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    private static Map<String, Object> loadMap(String text) {
        Object loaded = yaml().load(text);
        return loaded == null ? new LinkedHashMap<>() : map(loaded);
    }

    /** The value at a dotted path ({@code \.} for a dot inside a key), or null. */
    static Object path(Object root, String dotted) {
        Object node = root;
        for (String key : dotted.split("(?<!\\\\)\\.")) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key.replace("\\.", "."));
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (value == null) {
            return Map.of();
        }
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    private static String name(Map<String, Object> document) {
        return document.get("kind") + " " + path(document, "metadata.name");
    }

    private static boolean isBlank(Object value) {
        return value == null || Objects.toString(value).isBlank();
    }

    private static String sha256Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
