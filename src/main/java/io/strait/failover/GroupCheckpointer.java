package io.strait.failover;

import io.strait.replication.FailoverTopics;
import io.strait.replication.OffsetMapEntry;
import io.strait.replication.ClientConfigs;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.mirror.MirrorCheckpointConfig;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's half of failover, one per link: every checkpoint interval (MirrorMaker 2's
 * {@code emit.checkpoints.interval.seconds}), while the source can be read, it reads the committed
 * offsets of every consumer group the link selects, translates each changed one through the offset
 * map (counting source records where the map needs it, so exactly), and writes it as a
 * {@link GroupCheckpoint} to {@link FailoverTopics#checkpoints(String)} on the target. When the
 * source is lost, {@code failover} starts from these: a group that committed at least one interval
 * before the disaster resumes exactly where it was, wherever it was in the backlog.
 *
 * <p>Where MirrorMaker 2's automatic sync is on ({@code sync.group.offsets.enabled}, Strait's default),
 * it also moves each idle group's offsets on the target forward to this exact translation: the sync
 * MirrorMaker 2 makes from its thinned offset syncs reads again up to thousands of records per
 * partition for a group that is behind (measured in {@code ManyGroupsIT}); MirrorMaker 2's own sync
 * never moves a group back ({@code StraitCheckpointTask}), so it leaves Strait's positions as they are.
 *
 * <p>It also keeps, for {@code /status} and {@code /metrics}, each group's standing on the target:
 * the age of MirrorMaker 2's checkpoint, how many records MirrorMaker 2's translation would read
 * again, the records the group would read again or miss with its offsets on the target now, and its
 * partitions by {@link FailoverPlanner.Status} (those not OK are not synced, with the reason).
 */
public final class GroupCheckpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCheckpointer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * One group as of the last round.
     *
     * @param mm2CheckpointAge age of the oldest latest MirrorMaker 2 checkpoint among its partitions
     *                         (empty when none has one)
     * @param mm2Trail         records MirrorMaker 2's translation is behind Strait's, summed over partitions:
     *                         what a failover by MirrorMaker 2's checkpoints would read again
     * @param reread           records the group would read again with its offsets on the target now
     * @param missed           records it would skip with its offsets on the target now
     * @param partitions       its partitions by status
     */
    public record GroupStatus(String group, Optional<Duration> mm2CheckpointAge, long mm2Trail, long reread,
                              long missed, Map<FailoverPlanner.Status, Integer> partitions, int checkpointed) {
    }

    /** The last round: when, whether the source could be read, and every group. */
    public record Status(Optional<Instant> lastRound, Optional<String> error, SortedMap<String, GroupStatus> groups,
                         long checkpointsWritten, long offsetsSynced) {

        /** For {@code /status}: every group, with the partitions not in sync and why. */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("lastRound", lastRound.map(Instant::toString).orElse(null));
            json.put("error", error.orElse(null));
            json.put("checkpointsWritten", checkpointsWritten);
            json.put("offsetsSynced", offsetsSynced);
            List<Object> list = new ArrayList<>();
            groups.values().forEach(g -> {
                Map<String, Object> group = new java.util.LinkedHashMap<>();
                group.put("group", g.group());
                group.put("mm2CheckpointAgeSeconds", g.mm2CheckpointAge().map(Duration::toSeconds).orElse(null));
                group.put("mm2Trail", g.mm2Trail());
                group.put("reread", g.reread());
                group.put("missed", g.missed());
                Map<String, Integer> notSynced = new TreeMap<>();
                g.partitions().forEach((status, n) -> {
                    if (status != FailoverPlanner.Status.OK) {
                        notSynced.put(status.toString(), n);
                    }
                });
                group.put("partitions", g.partitions().values().stream().mapToInt(Integer::intValue).sum());
                group.put("notSynced", notSynced);
                group.put("checkpointed", g.checkpointed());
                list.add(group);
            });
            json.put("groups", list);
            return json;
        }
    }

    private final LinkId link;
    private final MirrorSettings settings;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private final OffsetMap map = new OffsetMap();
    private final GroupCheckpoint.Store written = new GroupCheckpoint.Store();
    private final Map<String, Map<TopicPartition, LinkEnds.Mm2Checkpoint>> mm2 = new HashMap<>();
    private LinkEnds ends;
    private TopicTail mapTail;
    private TopicTail mm2Tail;
    private KafkaProducer<byte[], byte[]> producer;
    private boolean loaded;
    private long checkpointsWritten;
    private long offsetsSynced;
    private final boolean syncOffsets;
    private volatile Status status = new Status(Optional.empty(), Optional.empty(), new TreeMap<>(), 0, 0);

    public GroupCheckpointer(LinkId link, MirrorSettings settings) {
        this.link = link;
        this.settings = settings;
        Map<String, String> config = settings.connectorConfig(link, org.apache.kafka.connect.mirror
                .MirrorCheckpointConnector.class);
        this.interval = StraitMirrorAccess.emitCheckpointsInterval(config);
        this.syncOffsets = !"false".equals(config.get(MirrorCheckpointConfig.SYNC_GROUP_OFFSETS_ENABLED));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strait-checkpoints-" + link);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** False when MirrorMaker 2's checkpoints are turned off for the link ({@code emit.checkpoints.enabled}). */
    public static boolean enabled(LinkId link, MirrorSettings settings) {
        Map<String, String> config = settings.connectorConfig(link, org.apache.kafka.connect.mirror
                .MirrorCheckpointConnector.class);
        return !"false".equals(config.get(MirrorCheckpointConfig.EMIT_CHECKPOINTS_ENABLED));
    }

    /** Starts the rounds in the background; returns at once. */
    public GroupCheckpointer start() {
        long every = Math.max(1000, interval.toMillis());
        scheduler.scheduleWithFixedDelay(this::round, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    public Status status() {
        return status;
    }

    /** One round; never throws. Visible for tests. */
    void round() {
        try {
            if (ends == null) {
                ends = new LinkEnds(settings, link, TIMEOUT);
            }
            if (!ends.sourceReachableNow()) {
                Status was = status;
                status = new Status(was.lastRound(), Optional.of(link.source() + " cannot be reached; the last"
                        + " checkpoints stay as they are"), was.groups(), checkpointsWritten, offsetsSynced);
                return;
            }
            if (!loaded) {
                // What earlier rounds (of this or another instance) wrote, so that unchanged groups are not rewritten.
                GroupCheckpoint.Store stored = ends.straitCheckpoints();
                stored.groups().forEach(g -> stored.of(g).values().forEach(written::put));
                createTopic();
                loaded = true;
            }
            if (mapTail == null) {
                mapTail = ends.tail(FailoverTopics.offsetMap(link.source()));
                mm2Tail = ends.tail(StraitMirrorAccess.checkpointsTopic(ends.checkpointConfig()));
            }
            mapTail.poll(r -> OffsetMapEntry.parse(r.key(), r.value()).ifPresent(map::add));
            mm2Tail.poll(r -> LinkEnds.mm2Checkpoint(r).ifPresent(c ->
                    mm2.computeIfAbsent(c.group(), g -> new HashMap<>()).put(c.target(), c)));
            List<String> groups = ends.selectedSourceGroups();
            FailoverPlanner planner = new FailoverPlanner(ends, map, written, mm2);
            List<FailoverPlanner.Report> reports = planner.reports(groups);
            Instant now = Instant.now();
            SortedMap<String, GroupStatus> statuses = new TreeMap<>();
            Set<TopicPartition> sources = new HashSet<>();
            for (FailoverPlanner.Report report : reports) {
                Map<FailoverPlanner.Status, Integer> byStatus = new EnumMap<>(FailoverPlanner.Status.class);
                long trail = 0;
                Optional<Duration> age = Optional.empty();
                int checkpointed = 0;
                for (FailoverPlanner.Row row : report.rows()) {
                    byStatus.merge(row.status(), 1, Integer::sum);
                    if (row.partition() < 0) {
                        continue;
                    }
                    sources.add(row.source());
                    trail += Math.max(0, row.mm2Reread().orElse(0));
                    if (row.mm2At().isPresent()) {
                        Duration a = Duration.between(row.mm2At().get(), now);
                        age = Optional.of(age.map(x -> x.compareTo(a) > 0 ? x : a).orElse(a));
                    }
                    if (row.translation().isPresent() && row.committed().isPresent()) {
                        checkpointed++;
                        write(report.group(), row, now);
                    }
                }
                statuses.put(report.group(), new GroupStatus(report.group(), age, trail, report.reread(),
                        report.missed(), byStatus, checkpointed));
                if (syncOffsets) {
                    syncForward(report);
                }
            }
            writeRound(now, groups.size(), sources);
            producer.flush();
            status = new Status(Optional.of(now), Optional.empty(), statuses, checkpointsWritten, offsetsSynced);
        } catch (Exception e) {
            log.warn("Link {}: checkpointing consumer groups failed: {}; trying again in {} s", link, e.toString(),
                    interval.toSeconds());
            log.debug("Checkpoint round of {} failed", link, e);
            Status was = status;
            status = new Status(was.lastRound(), Optional.of(e.getMessage() == null ? e.toString() : e.getMessage()),
                    was.groups(), checkpointsWritten, offsetsSynced);
            if (ends != null) {
                closeTails();
                ends.close();
                ends = null;
            }
        }
    }

    /**
     * The automatic sync, made exact: moves the group's offsets on the target forward to Strait's
     * translation where they are behind it (or missing), as MirrorMaker 2's sync does with its own
     * translation ({@code sync.group.offsets.enabled}). Never for a group with members on the target,
     * never backwards, never below the target's log start; only exact translations.
     */
    private void syncForward(FailoverPlanner.Report report) {
        if (report.active()) {
            return;
        }
        Map<TopicPartition, Long> forward = new HashMap<>();
        for (FailoverPlanner.Row row : report.rows()) {
            if ((row.status() == FailoverPlanner.Status.STALE || row.status() == FailoverPlanner.Status.NO_CHECKPOINT)
                    && row.translation().isPresent() && row.translation().get().exact() && row.behind() == 0) {
                forward.put(row.target(), row.translation().get().offset());
            }
        }
        if (forward.isEmpty()) {
            return;
        }
        try {
            ends.alterTargetOffsets(report.group(), forward);
            offsetsSynced += forward.size();
        } catch (FailoverException e) {
            // A consumer joined the group on the target since it was described: its offsets are its own.
            log.debug("Link {}: not syncing group {}: {}", link, report.group(), e.getMessage());
        }
    }

    private void write(String group, FailoverPlanner.Row row, Instant now) {
        long upstream = row.committed().getAsLong();
        OffsetMap.Translation t = row.translation().get();
        GroupCheckpoint previous = written.of(group).get(row.source());
        if (previous != null && previous.upstream() == upstream && previous.downstream() == t.offset()) {
            return;
        }
        Instant since = previous != null && previous.upstream() == upstream ? previous.since() : now;
        // A group ahead of the link: its translation is the target's end for now, which moves as the link copies.
        boolean exact = t.exact() && row.behind() == 0;
        GroupCheckpoint checkpoint = new GroupCheckpoint(group, row.source(), upstream, t.offset(), exact,
                exact ? 0 : t.uncertainty() + row.behind(), since, now);
        producer().send(new ProducerRecord<>(FailoverTopics.checkpoints(link.source()), checkpoint.key(),
                checkpoint.value()));
        written.put(checkpoint);
        checkpointsWritten++;
    }

    private void writeRound(Instant now, int groups, Set<TopicPartition> sources) {
        Map<TopicPartition, Long> endsOnSource = ends.sourceOffsets(sources, OffsetSpec.latest());
        Map<TopicPartition, long[]> partitions = new HashMap<>();
        for (TopicPartition tp : sources) {
            Long end = endsOnSource.get(tp);
            Optional<long[]> copied = map.lastKnown(tp, map.latestTopicId(tp));
            if (end != null) {
                partitions.put(tp, new long[] {end, copied.map(c -> c[0] + 1).orElse(0L)});
            }
        }
        GroupCheckpoint.Round round = new GroupCheckpoint.Round(now, groups, partitions);
        producer().send(new ProducerRecord<>(FailoverTopics.checkpoints(link.source()), GroupCheckpoint.roundKey(),
                GroupCheckpoint.roundValue(round)));
        written.round(round);
    }

    private void createTopic() {
        try (Admin admin = Admin.create(ClientConfigs.admin(settings.topology().cluster(link.target()),
                "strait-checkpoints-" + link, TIMEOUT))) {
            StraitMirrorAccess.createSinglePartitionCompactedTopic(FailoverTopics.checkpoints(link.source()),
                    StraitMirrorAccess.checkpointsReplicationFactor(ends.checkpointConfig()), admin);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(ClientConfigs.producer(settings.topology().cluster(link.target()),
                    "strait-checkpoints-" + link), new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        closeTails();
        if (ends != null) {
            ends.close();
        }
    }

    /** The tails' consumers are their own: closed with the clients of the round that failed, or at stop. */
    private void closeTails() {
        for (TopicTail tail : new TopicTail[] {mapTail, mm2Tail}) {
            if (tail != null) {
                tail.close();
            }
        }
        mapTail = null;
        mm2Tail = null;
    }

    /** Rounds run by hand (tests): the statuses as of now. */
    List<String> groupsChecked() {
        return new ArrayList<>(status.groups().keySet());
    }
}
