package io.strait.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strait.daemon.StraitDaemon;
import io.strait.replication.LinkHealthCheck;
import io.strait.replication.LinkReplicator;
import io.strait.replication.ReplicationPlanner;
import io.strait.topology.LinkId;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.AppInfoParser;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strait's Prometheus metrics, named by Prometheus's conventions (base units, {@code _total} for
 * counters, one series family per statistic): per link and per topic, what MirrorMaker 2 measures
 * (records, bytes, replication latency, record age), read from each link's Kafka Connect worker; the
 * lag Strait samples; link, task, group and reload state; the build; and the JVM's own metrics.
 * Values are gathered at scrape time from state the daemon keeps: a scrape never waits on Kafka.
 *
 * <p>Labels: every link series has {@code link} ({@code source->target}), {@code source} and
 * {@code target} (cluster aliases); topic series add {@code source_topic} and {@code target_topic};
 * group series add {@code group}. State-like labels take a fixed set of values ({@link #DEFINITIONS}).
 * The number of series is bounded by the topology: links x selected topics, and links x selected
 * consumer groups.
 */
public final class StraitMetrics {

    /** Prometheus types used here. */
    public enum Type { GAUGE, COUNTER }

    /**
     * One metric family as Prometheus shows it.
     *
     * @param name   the exposed name (a counter's ends in {@code _total})
     * @param unit   {@code seconds}, {@code bytes}, {@code records}, or empty for a plain number or 0/1
     * @param labels every label of its series, in exposition order (sorted)
     * @param help   its HELP text
     */
    public record Definition(String name, Type type, String unit, List<String> labels, String help) {
        /** Micrometer's name for it (dots; a counter without {@code _total}, which Micrometer adds). */
        String meterName() {
            String base = type == Type.COUNTER ? name.substring(0, name.length() - "_total".length()) : name;
            return base.replace('_', '.');
        }
    }

    private static final List<String> LINK = List.of("link", "source", "target");
    private static final List<String> TOPIC = List.of("link", "source", "source_topic", "target", "target_topic");
    private static final List<String> GROUP = List.of("group", "link", "source", "target");

    static final Definition BUILD_INFO = def("strait_build_info", Type.GAUGE, "",
            List.of("java_version", "kafka_version", "version"),
            "Always 1; the labels say which Strait, Kafka (clients, Connect, MirrorMaker 2) and Java run");
    static final Definition LINK_UP = def("strait_link_up", Type.GAUGE, "", LINK,
            "1 when the link runs (every connector running, no failed task; also when DEGRADED), else 0");
    static final Definition LINK_STATE = def("strait_link_state", Type.GAUGE, "", plus(LINK, "state"),
            "1 for the link's current state (STARTING, RUNNING, DEGRADED, FAILING, STOPPED), 0 for the others");
    static final Definition LINK_DEGRADED = def("strait_link_degraded", Type.GAUGE, "", plus(LINK, "reason"),
            "Problems that keep the running link from doing its whole job, by reason (0 when none)");
    static final Definition LINK_TASKS = def("strait_link_tasks", Type.GAUGE, "", plus(LINK, "state"),
            "Tasks of the link's connectors running on this instance's view of the Connect group, by Connect state");
    static final Definition LINK_HERDER_STARTS = def("strait_link_herder_starts_total", Type.COUNTER, "", LINK,
            "Kafka Connect herders started for the link (more than 1: it was rebuilt)");
    static final Definition LINK_TASK_STARTS = def("strait_link_task_starts_total", Type.COUNTER, "", LINK,
            "Tasks of the link started on this instance (a restart counts again)");
    static final Definition RECORDS = def("strait_replicated_records_total", Type.COUNTER, "records", TOPIC,
            "Records replicated by this instance (MirrorMaker 2 record-count, kept across task restarts)");
    static final Definition BYTES = def("strait_replicated_bytes_total", Type.COUNTER, "bytes", TOPIC,
            "Bytes replicated by this instance (MirrorMaker 2 byte-count, kept across task restarts)");
    static final Definition LATENCY_MAX = def("strait_replication_latency_max_seconds", Type.GAUGE, "seconds", TOPIC,
            "Longest time from a record's timestamp to its write on the target, over the topic's partitions"
                    + " (MirrorMaker 2 replication-latency-ms-max, its last 60 s)");
    static final Definition LATENCY_AVG = def("strait_replication_latency_avg_seconds", Type.GAUGE, "seconds", TOPIC,
            "Average time from a record's timestamp to its write on the target, the mean of the topic's partitions"
                    + " (MirrorMaker 2 replication-latency-ms-avg, its last 60 s)");
    static final Definition AGE_MAX = def("strait_record_age_max_seconds", Type.GAUGE, "seconds", TOPIC,
            "Oldest record's age when the source task read it, over the topic's partitions"
                    + " (MirrorMaker 2 record-age-ms-max, its last 60 s)");
    static final Definition AGE_AVG = def("strait_record_age_avg_seconds", Type.GAUGE, "seconds", TOPIC,
            "Average age of records when the source task read them, the mean of the topic's partitions"
                    + " (MirrorMaker 2 record-age-ms-avg, its last 60 s)");
    static final Definition LAG = def("strait_lag_records", Type.GAUGE, "records", TOPIC,
            "Records on the source not yet replicated, as of the link's last committed position (sampled every 10 s)");
    static final Definition SOURCE_LOST = def("strait_source_records_lost_total", Type.COUNTER, "records", TOPIC,
            "Source records removed (retention, deleted records) before the link copied them, found by this"
                    + " instance since it started");
    static final Definition SOURCE_RECREATED = def("strait_source_topic_recreations_total", Type.COUNTER, "", TOPIC,
            "Source topics found deleted and created again (new topic ID) by this instance since it started; each"
                    + " is copied again from its beginning");
    static final Definition GROUP_CHECKPOINT_AGE = def("strait_group_checkpoint_age_seconds", Type.GAUGE, "seconds",
            GROUP, "Age of the group's oldest latest MirrorMaker 2 checkpoint (its translated offsets)");
    static final Definition GROUP_TRAIL = def("strait_group_translation_trail_records", Type.GAUGE, "records", GROUP,
            "Records MirrorMaker 2's translation of the group is behind Strait's exact one: what a failover by"
                    + " MirrorMaker 2's checkpoints would read again");
    static final Definition GROUP_REREAD = def("strait_group_failover_reread_records", Type.GAUGE, "records", GROUP,
            "Records the group would read again if it moved to the target now, with its offsets there");
    static final Definition GROUP_MISSED = def("strait_group_failover_missed_records", Type.GAUGE, "records", GROUP,
            "Records the group would skip if it moved to the target now, with its offsets there");
    static final Definition GROUP_PARTITIONS = def("strait_group_partitions", Type.GAUGE, "", plus(GROUP, "status"),
            "The group's partitions by status (OK is in sync; STALE, NO-CHECKPOINT, TARGET-AHEAD, ACTIVE-ON-TARGET,"
                    + " BELOW-LOG-START, NO-COMMIT say why not)");
    static final Definition RELOADS = def("strait_reloads_total", Type.COUNTER, "", List.of(),
            "Topology reloads applied");
    static final Definition RELOAD_FAILURES = def("strait_reload_failures_total", Type.COUNTER, "", List.of(),
            "Topology reloads refused (invalid file) or failed");
    static final Definition RELOAD_LAST_OK = def("strait_reload_last_success", Type.GAUGE, "", List.of(),
            "1 when the last reload was applied (or none was tried), 0 when it was refused");

    /** Every Strait metric family, in the README's order. */
    public static final List<Definition> DEFINITIONS = List.of(BUILD_INFO, LINK_UP, LINK_STATE, LINK_DEGRADED,
            LINK_TASKS, LINK_HERDER_STARTS, LINK_TASK_STARTS, RECORDS, BYTES, LATENCY_MAX, LATENCY_AVG, AGE_MAX,
            AGE_AVG, LAG, SOURCE_LOST, SOURCE_RECREATED, GROUP_CHECKPOINT_AGE, GROUP_TRAIL, GROUP_REREAD,
            GROUP_MISSED, GROUP_PARTITIONS, RELOADS, RELOAD_FAILURES, RELOAD_LAST_OK);

    /** Connect's task states ({@code AbstractStatus.State}) that {@link #LINK_TASKS} always shows, 0 when none. */
    static final List<String> TASK_STATES = List.of("UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "RESTARTING");

    private static final Map<String, Definition> BY_METER_NAME = new HashMap<>();

    static {
        DEFINITIONS.forEach(d -> BY_METER_NAME.put(d.meterName(), d));
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StatusSource daemon;
    /** Current values of the dynamic meters, keyed by their id; meters read them. */
    private final Map<Meter.Id, Double> values = new ConcurrentHashMap<>();
    private final MirrorCounters counters = new MirrorCounters();

    /** Metrics of {@code daemon}'s links, read at each {@link #scrape()}, and of this JVM. */
    public StraitMetrics(StatusSource daemon) {
        this.daemon = daemon;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        String version = Optional.ofNullable(StraitMetrics.class.getPackage().getImplementationVersion())
                .orElse("development");
        Gauge.builder(BUILD_INFO.meterName(), () -> 1).tags("version", version, "kafka_version",
                        AppInfoParser.getVersion(), "java_version", System.getProperty("java.version"))
                .description(BUILD_INFO.help()).register(registry);
        FunctionCounter.builder(RELOADS.meterName(), daemon, d -> d.reloadState().reloads())
                .description(RELOADS.help()).register(registry);
        FunctionCounter.builder(RELOAD_FAILURES.meterName(), daemon, d -> d.reloadState().failures())
                .description(RELOAD_FAILURES.help()).register(registry);
        Gauge.builder(RELOAD_LAST_OK.meterName(), daemon, d -> d.reloadState().lastErrors().isEmpty() ? 1 : 0)
                .description(RELOAD_LAST_OK.help()).register(registry);
    }

    /** The Prometheus text exposition of every metric, as of now. */
    public synchronized String scrape() {
        refresh();
        return registry.scrape();
    }

    private void refresh() {
        Map<Meter.Id, Double> now = new HashMap<>();
        Map<LinkId, StraitDaemon.LagSample> lag = daemon.lag();
        Map<LinkId, StatusSource.Link> links = daemon.links();
        Map<String, Metrics> workers = new HashMap<>();
        Map<String, ReplicationPlanner.TopicRule> rules = new HashMap<>();
        Map<String, Tags> linkTagsByName = new HashMap<>();
        for (Map.Entry<LinkId, StatusSource.Link> entry : links.entrySet()) {
            LinkId id = entry.getKey();
            String link = id.toString();
            StatusSource.Link replicator = entry.getValue();
            LinkReplicator.Status status = replicator.status();
            ReplicationPlanner.TopicRule rule = replicator.topicRule();
            Tags linkTags = Tags.of("link", link, "source", id.source(), "target", id.target());
            rules.put(link, rule);
            linkTagsByName.put(link, linkTags);
            put(now, LINK_UP, linkTags, status.state() == LinkReplicator.State.RUNNING
                    || status.state() == LinkReplicator.State.DEGRADED ? 1 : 0);
            for (LinkHealthCheck.Reason reason : LinkHealthCheck.Reason.values()) {
                put(now, LINK_DEGRADED, linkTags.and("reason", reason.label()),
                        status.problems().stream().filter(p -> p.reason() == reason).count());
            }
            for (LinkReplicator.State state : LinkReplicator.State.values()) {
                put(now, LINK_STATE, linkTags.and("state", state.name()), status.state() == state ? 1 : 0);
            }
            Map<String, Integer> tasks = new LinkedHashMap<>();
            TASK_STATES.forEach(s -> tasks.put(s, 0));
            status.connectors().forEach(c -> c.tasks().forEach(t -> tasks.merge(t.state(), 1, Integer::sum)));
            tasks.forEach((state, count) -> put(now, LINK_TASKS, linkTags.and("state", state), count));
            put(now, LINK_HERDER_STARTS, linkTags, status.starts());
            put(now, LINK_TASK_STARTS, linkTags, status.taskStarts());
            replicator.workerMetrics().ifPresent(metrics -> {
                workers.put(link, metrics);
                mirrorGauges(linkTags, rule, metrics.metrics(), now);
            });
            replicator.sourceRecordsLost().forEach((topic, n) ->
                    put(now, SOURCE_LOST, topicTags(linkTags, topic, rule.remoteName(topic)), n));
            replicator.sourceTopicRecreations().forEach((topic, n) ->
                    put(now, SOURCE_RECREATED, topicTags(linkTags, topic, rule.remoteName(topic)), n));
            daemon.groups(id).ifPresent(groups -> groupMetrics(linkTags, groups, now));
            StraitDaemon.LagSample sample = lag.get(id);
            if (sample != null) {
                Map<String, Long> byTopic = new TreeMap<>();
                sample.lag().forEach((tp, records) -> byTopic.merge(tp.topic(), records, Long::sum));
                byTopic.forEach((topic, records) ->
                        put(now, LAG, topicTags(linkTags, topic, rule.remoteName(topic)), records));
            }
        }
        Map<MirrorCounters.Key, Double> totals = counters.totals(workers, linkTagsByName.keySet());
        Set<MirrorCounters.Key> live = counters.live();
        totals.forEach((key, total) -> {
            String sourceTopic = rules.get(key.link()).upstream(key.targetTopic());
            // A task restart leaves the topic in the lag sample (its committed positions): the count
            // goes on. A topic no longer replicated leaves both: its series go. Without a sample yet (a
            // link just rebuilt or reloaded), nothing tells, and the count is kept.
            StraitDaemon.LagSample sample = lag.get(LinkId.parse(key.link()));
            if (!live.contains(key) && sample != null && sample.lag().keySet().stream()
                    .noneMatch(tp -> tp.topic().equals(sourceTopic))) {
                counters.forget(key);
                return;
            }
            Tags tags = topicTags(linkTagsByName.get(key.link()), sourceTopic, key.targetTopic());
            put(now, key.counter().equals("record-count") ? RECORDS : BYTES, tags, total);
        });
        // Register what is new, drop what is gone (a removed link, a topic no longer replicated).
        for (Map.Entry<Meter.Id, Double> entry : now.entrySet()) {
            if (!values.containsKey(entry.getKey())) {
                register(entry.getKey());
            }
        }
        Set<Meter.Id> gone = new HashSet<>(values.keySet());
        gone.removeAll(now.keySet());
        gone.forEach(id -> {
            registry.remove(id);
            values.remove(id);
        });
        values.putAll(now);
    }

    private static Tags topicTags(Tags linkTags, String sourceTopic, String targetTopic) {
        return linkTags.and("source_topic", sourceTopic, "target_topic", targetTopic);
    }

    /** MirrorMaker 2's per-partition latency and age of the link's tasks, in seconds, maxed or averaged per topic. */
    private static void mirrorGauges(Tags linkTags, ReplicationPlanner.TopicRule rule,
                                     Map<MetricName, KafkaMetric> metrics, Map<Meter.Id, Double> now) {
        Map<String, Double> latencyMax = new HashMap<>();
        Map<String, double[]> latencyAvg = new HashMap<>();
        Map<String, Double> ageMax = new HashMap<>();
        Map<String, double[]> ageAvg = new HashMap<>();
        metrics.forEach((name, metric) -> {
            String topic = name.tags().get("topic");
            if (topic == null || !name.tags().containsKey("partition")) {
                return;
            }
            Object value = metric.metricValue();
            if (!(value instanceof Number number) || Double.isNaN(number.doubleValue())
                    || Double.isInfinite(number.doubleValue())) {
                return;
            }
            double seconds = number.doubleValue() / 1000;
            switch (name.name()) {
                case "replication-latency-ms-max" -> latencyMax.merge(topic, seconds, Math::max);
                case "replication-latency-ms-avg" -> latencyAvg.merge(topic, new double[] {seconds, 1}, StraitMetrics::add);
                case "record-age-ms-max" -> ageMax.merge(topic, seconds, Math::max);
                case "record-age-ms-avg" -> ageAvg.merge(topic, new double[] {seconds, 1}, StraitMetrics::add);
                default -> { }
            }
        });
        latencyMax.forEach((t, v) -> put(now, LATENCY_MAX, topicTags(linkTags, rule.upstream(t), t), v));
        latencyAvg.forEach((t, v) -> put(now, LATENCY_AVG, topicTags(linkTags, rule.upstream(t), t), v[0] / v[1]));
        ageMax.forEach((t, v) -> put(now, AGE_MAX, topicTags(linkTags, rule.upstream(t), t), v));
        ageAvg.forEach((t, v) -> put(now, AGE_AVG, topicTags(linkTags, rule.upstream(t), t), v[0] / v[1]));
    }

    private static double[] add(double[] a, double[] b) {
        return new double[] {a[0] + b[0], a[1] + b[1]};
    }

    /** Each consumer group of the link, as its checkpointer last saw it (failover). */
    private static void groupMetrics(Tags linkTags, io.strait.failover.GroupCheckpointer.Status status,
                                     Map<Meter.Id, Double> now) {
        status.groups().values().forEach(g -> {
            Tags tags = linkTags.and("group", g.group());
            g.mm2CheckpointAge().ifPresent(age -> put(now, GROUP_CHECKPOINT_AGE, tags, age.toMillis() / 1000.0));
            put(now, GROUP_TRAIL, tags, g.mm2Trail());
            put(now, GROUP_REREAD, tags, g.reread());
            put(now, GROUP_MISSED, tags, g.missed());
            g.partitions().forEach((state, n) -> put(now, GROUP_PARTITIONS, tags.and("status", state.toString()), n));
        });
    }

    private static void put(Map<Meter.Id, Double> now, Definition metric, Tags tags, double value) {
        Meter.Id id = new Meter.Id(metric.meterName(), tags, null, null,
                metric.type() == Type.GAUGE ? Meter.Type.GAUGE : Meter.Type.COUNTER);
        now.put(id, value);
    }

    private void register(Meter.Id id) {
        Definition metric = BY_METER_NAME.get(id.getName());
        if (metric.type() == Type.COUNTER) {
            FunctionCounter.builder(id.getName(), values, v -> v.getOrDefault(id, 0.0))
                    .tags(id.getTags()).description(metric.help()).register(registry);
        } else {
            Gauge.builder(id.getName(), values, v -> v.getOrDefault(id, Double.NaN))
                    .tags(id.getTags()).description(metric.help()).register(registry);
        }
    }

    private static Definition def(String name, Type type, String unit, List<String> labels, String help) {
        return new Definition(name, type, unit, labels.stream().sorted().toList(), help);
    }

    private static List<String> plus(List<String> labels, String label) {
        List<String> all = new ArrayList<>(labels);
        all.add(label);
        return all;
    }
}
