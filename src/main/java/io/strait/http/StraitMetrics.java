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
import io.strait.topology.LinkId;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strait's Prometheus metrics: per link and per topic, what MirrorMaker 2 measures (records,
 * bytes, replication latency, record age), read from each link's Kafka Connect worker; the lag
 * Strait samples; link, task and reload state; and the JVM's own metrics. Values are gathered
 * at scrape time from state the daemon keeps: a scrape never waits on Kafka.
 */
public final class StraitMetrics {

    /** Metric names, as Prometheus shows them. */
    static final String LINK_UP = "strait.link.up";
    static final String LINK_STATE = "strait.link.state";
    static final String LINK_TASKS = "strait.link.tasks";
    static final String LINK_DEGRADED = "strait.link.degraded";
    static final String LINK_HERDER_STARTS = "strait.link.herder.starts";
    static final String LINK_TASK_STARTS = "strait.link.task.starts";
    static final String RECORDS = "strait.replicated.records";
    static final String BYTES = "strait.replicated.bytes";
    static final String LATENCY = "strait.replication.latency.ms";
    static final String AGE = "strait.record.age.ms";
    static final String LAG = "strait.lag.records";
    static final String SOURCE_LOST = "strait.source.records.lost";
    static final String SOURCE_RECREATED = "strait.source.topic.recreations";
    static final String GROUP_CHECKPOINT_AGE = "strait.group.checkpoint.age.seconds";
    static final String GROUP_TRAIL = "strait.group.translation.trail.records";
    static final String GROUP_REREAD = "strait.group.failover.reread.records";
    static final String GROUP_MISSED = "strait.group.failover.missed.records";
    static final String GROUP_PARTITIONS = "strait.group.partitions";
    static final String RELOADS = "strait.reloads";
    static final String RELOAD_FAILURES = "strait.reload.failures";
    static final String RELOAD_LAST_OK = "strait.reload.last.success";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StatusSource daemon;
    /** Current values of the dynamic meters, keyed by their id; meters read them. */
    private final Map<Meter.Id, Double> values = new ConcurrentHashMap<>();

    /** Metrics of {@code daemon}'s links, read at each {@link #scrape()}, and of this JVM. */
    public StraitMetrics(StatusSource daemon) {
        this.daemon = daemon;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        FunctionCounter.builder(RELOADS, daemon, d -> d.reloadState().reloads())
                .description("Topology reloads applied").register(registry);
        FunctionCounter.builder(RELOAD_FAILURES, daemon, d -> d.reloadState().failures())
                .description("Topology reloads refused (invalid file) or failed").register(registry);
        Gauge.builder(RELOAD_LAST_OK, daemon, d -> d.reloadState().lastErrors().isEmpty() ? 1 : 0)
                .description("1 when the last reload was applied (or none was tried), 0 when it was refused")
                .register(registry);
    }

    /** The Prometheus text exposition of every metric, as of now. */
    public synchronized String scrape() {
        refresh();
        return registry.scrape();
    }

    private void refresh() {
        Map<Meter.Id, Double> now = new HashMap<>();
        Map<Meter.Id, Kind> kinds = new HashMap<>();
        Map<LinkId, StraitDaemon.LagSample> lag = daemon.lag();
        for (Map.Entry<LinkId, StatusSource.Link> entry : daemon.links().entrySet()) {
            String link = entry.getKey().toString();
            StatusSource.Link replicator = entry.getValue();
            LinkReplicator.Status status = replicator.status();
            Tags linkTags = Tags.of("link", link);
            put(now, kinds, LINK_UP, linkTags, status.state() == LinkReplicator.State.RUNNING
                    || status.state() == LinkReplicator.State.DEGRADED ? 1 : 0, Kind.GAUGE);
            for (LinkHealthCheck.Reason reason : LinkHealthCheck.Reason.values()) {
                put(now, kinds, LINK_DEGRADED, linkTags.and("reason", reason.label()),
                        status.problems().stream().filter(p -> p.reason() == reason).count(), Kind.GAUGE);
            }
            for (LinkReplicator.State state : LinkReplicator.State.values()) {
                put(now, kinds, LINK_STATE, linkTags.and("state", state.name()), status.state() == state ? 1 : 0, Kind.GAUGE);
            }
            Map<String, Integer> tasks = new HashMap<>(Map.of("RUNNING", 0, "FAILED", 0));
            status.connectors().forEach(c -> c.tasks().forEach(t -> tasks.merge(t.state(), 1, Integer::sum)));
            tasks.forEach((state, count) -> put(now, kinds, LINK_TASKS, linkTags.and("state", state), count, Kind.GAUGE));
            put(now, kinds, LINK_HERDER_STARTS, linkTags, status.starts(), Kind.COUNTER);
            replicator.workerMetrics().ifPresent(metrics -> mirrorMetrics(link, metrics.metrics(), now, kinds));
            put(now, kinds, LINK_TASK_STARTS, linkTags, status.taskStarts(), Kind.COUNTER);
            replicator.sourceRecordsLost().forEach((topic, n) ->
                    put(now, kinds, SOURCE_LOST, linkTags.and("topic", topic), n, Kind.COUNTER));
            replicator.sourceTopicRecreations().forEach((topic, n) ->
                    put(now, kinds, SOURCE_RECREATED, linkTags.and("topic", topic), n, Kind.COUNTER));
            daemon.groups(entry.getKey()).ifPresent(groups -> groupMetrics(linkTags, groups, now, kinds));
            StraitDaemon.LagSample sample = lag.get(entry.getKey());
            if (sample != null) {
                Map<String, Long> byTopic = new HashMap<>();
                sample.lag().forEach((tp, records) -> byTopic.merge(tp.topic(), records, Long::sum));
                byTopic.forEach((topic, records) ->
                        put(now, kinds, LAG, linkTags.and("topic", topic), records, Kind.GAUGE));
            }
        }
        // Register what is new, drop what is gone (a removed link, a topic no longer replicated).
        for (Map.Entry<Meter.Id, Double> entry : now.entrySet()) {
            if (!values.containsKey(entry.getKey())) {
                register(entry.getKey(), kinds.get(entry.getKey()));
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

    /** MirrorMaker 2's per-partition metrics of the link's tasks, summed (or maxed) per target topic. */
    private void mirrorMetrics(String link, Map<MetricName, KafkaMetric> metrics, Map<Meter.Id, Double> now,
                               Map<Meter.Id, Kind> kinds) {
        Map<String, Double> records = new HashMap<>();
        Map<String, Double> bytes = new HashMap<>();
        Map<String, Double> latencyMax = new HashMap<>();
        Map<String, double[]> latencyAvg = new HashMap<>();
        Map<String, Double> ageMax = new HashMap<>();
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
            double v = number.doubleValue();
            switch (name.name()) {
                case "record-count" -> records.merge(topic, v, Double::sum);
                case "byte-count" -> bytes.merge(topic, v, Double::sum);
                case "replication-latency-ms-max" -> latencyMax.merge(topic, v, Math::max);
                case "replication-latency-ms-avg" -> latencyAvg.merge(topic, new double[] {v, 1},
                        (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
                case "record-age-ms-max" -> ageMax.merge(topic, v, Math::max);
                default -> { }
            }
        });
        Tags linkTags = Tags.of("link", link);
        records.forEach((t, v) -> put(now, kinds, RECORDS, linkTags.and("topic", t), v, Kind.COUNTER));
        bytes.forEach((t, v) -> put(now, kinds, BYTES, linkTags.and("topic", t), v, Kind.COUNTER));
        latencyMax.forEach((t, v) -> put(now, kinds, LATENCY, linkTags.and("topic", t).and("stat", "max"), v, Kind.GAUGE));
        latencyAvg.forEach((t, v) -> put(now, kinds, LATENCY, linkTags.and("topic", t).and("stat", "avg"),
                v[0] / v[1], Kind.GAUGE));
        ageMax.forEach((t, v) -> put(now, kinds, AGE, linkTags.and("topic", t).and("stat", "max"), v, Kind.GAUGE));
    }

    /** Each consumer group of the link, as its checkpointer last saw it (failover). */
    private static void groupMetrics(Tags linkTags, io.strait.failover.GroupCheckpointer.Status status,
                                     Map<Meter.Id, Double> now, Map<Meter.Id, Kind> kinds) {
        status.groups().values().forEach(g -> {
            Tags tags = linkTags.and("group", g.group());
            g.mm2CheckpointAge().ifPresent(age -> put(now, kinds, GROUP_CHECKPOINT_AGE, tags, age.toSeconds(),
                    Kind.GAUGE));
            put(now, kinds, GROUP_TRAIL, tags, g.mm2Trail(), Kind.GAUGE);
            put(now, kinds, GROUP_REREAD, tags, g.reread(), Kind.GAUGE);
            put(now, kinds, GROUP_MISSED, tags, g.missed(), Kind.GAUGE);
            g.partitions().forEach((state, n) -> put(now, kinds, GROUP_PARTITIONS, tags.and("status", state.toString()),
                    n, Kind.GAUGE));
        });
    }

    private enum Kind { GAUGE, COUNTER }

    private static void put(Map<Meter.Id, Double> now, Map<Meter.Id, Kind> kinds, String name, Tags tags, double value,
                            Kind kind) {
        Meter.Id id = new Meter.Id(name, tags, null, null, kind == Kind.GAUGE ? Meter.Type.GAUGE : Meter.Type.COUNTER);
        now.put(id, value);
        kinds.put(id, kind);
    }

    private void register(Meter.Id id, Kind kind) {
        if (kind == Kind.COUNTER) {
            FunctionCounter.builder(id.getName(), values, v -> v.getOrDefault(id, 0.0))
                    .tags(id.getTags()).description(description(id.getName())).register(registry);
        } else {
            Gauge.builder(id.getName(), values, v -> v.getOrDefault(id, Double.NaN))
                    .tags(id.getTags()).description(description(id.getName())).register(registry);
        }
    }

    private static String description(String name) {
        return switch (name) {
            case LINK_UP -> "1 when the link runs (every connector running, no failed task; also when DEGRADED), else 0";
            case LINK_DEGRADED -> "What keeps the running link from doing its whole job, by reason (0 when none)";
            case LINK_STATE -> "1 for the link's current state";
            case LINK_TASKS -> "Tasks of the link's connectors, by state";
            case LINK_HERDER_STARTS -> "Kafka Connect herders started for the link (more than 1: it was rebuilt)";
            case LINK_TASK_STARTS -> "Tasks of the link started on this instance (a restart counts again)";
            case RECORDS -> "Records replicated (MirrorMaker 2 record-count, since the task started)";
            case BYTES -> "Bytes replicated (MirrorMaker 2 byte-count, since the task started)";
            case LATENCY -> "Time from the record's timestamp to its write on the target (MirrorMaker 2)";
            case AGE -> "Age of records when replicated (MirrorMaker 2)";
            case SOURCE_LOST -> "Source records removed (retention, deleted records) before the link copied them, found by"
                    + " this instance since it started; topic is the source topic";
            case SOURCE_RECREATED -> "Source topics found deleted and created again (new topic ID) by this instance since it"
                    + " started; each is copied again from its beginning";
            case GROUP_CHECKPOINT_AGE -> "Age of the group's oldest latest MirrorMaker 2 checkpoint (its translated offsets)";
            case GROUP_TRAIL -> "Records MirrorMaker 2's translation of the group is behind Strait's exact one: what a"
                    + " failover by MirrorMaker 2's checkpoints would read again";
            case GROUP_REREAD -> "Records the group would read again if it moved to the target now, with its offsets there";
            case GROUP_MISSED -> "Records the group would skip if it moved to the target now, with its offsets there";
            case GROUP_PARTITIONS -> "The group's partitions by status (OK is in sync; STALE, NO-CHECKPOINT, TARGET-AHEAD,"
                    + " ACTIVE-ON-TARGET, BELOW-LOG-START, NO-COMMIT say why not)";
            case LAG -> "Records on the source not yet replicated, as of the last committed position (sampled every 10 s)";
            default -> name;
        };
    }
}
