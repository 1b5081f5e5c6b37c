package io.strait.failover;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Where a consumer group of a link's source would resume on its target, partition by partition:
 * by MirrorMaker 2's checkpoint (its automatic sync), by the group's committed offset on the target
 * now, and by Strait's translation through the offset map; and, for {@code failover --apply}, the
 * offsets to set. When the source cannot be reached (a disaster), the group's position is the last
 * one recorded while it could: Strait's checkpoint ({@link GroupCheckpointer}) or MirrorMaker 2's,
 * whichever is newer.
 */
public final class FailoverPlanner {

    /** What would happen to a partition if the group moved to the target now, with its offsets there as they are. */
    public enum Status {
        /** Its offset on the target is Strait's translation: nothing is read again, nothing is skipped. */
        OK("OK"),
        /** Its offset on the target is behind the translation: records would be read again. */
        STALE("STALE"),
        /** It has no offset on the target: consumers would start by their {@code auto.offset.reset}. */
        NO_CHECKPOINT("NO-CHECKPOINT"),
        /** The group has no committed offset on the source: there is nothing to translate. */
        NO_COMMIT("NO-COMMIT"),
        /** The group has members on the target: its offsets there are its own, and failover leaves them. */
        ACTIVE_ON_TARGET("ACTIVE-ON-TARGET"),
        /** Its offset on the target is past the translation: records would be skipped (missed). */
        TARGET_AHEAD("TARGET-AHEAD"),
        /** The records after the group's position are no longer on the target (retention): they are missed. */
        BELOW_LOG_START("BELOW-LOG-START");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * One partition of a group.
     *
     * @param committed     the group's committed offset on the source (now, or as last recorded)
     * @param committedAt   when that offset was read: empty when read now, from the source
     * @param mm2           MirrorMaker 2's translation (its latest checkpoint), with {@code mm2At} its time
     * @param mm2Upstream   the source offset MirrorMaker 2 translated
     * @param translation   Strait's translation, when the map (or a stored checkpoint) gives one
     * @param onTarget      the group's committed offset on the target now
     * @param targetStart   the target partition's log start offset
     * @param targetEnd     the target partition's end offset
     * @param behind        records the group consumed on the source that the link had not copied yet
     *                      (they arrive on the target after the translated position, and are read again
     *                      then, unless the source is gone)
     * @param reread        records the group would read again from {@code onTarget} (compared with the translation)
     * @param missed        records it would skip from {@code onTarget}
     * @param atRisk        when the source is gone: records the source held at the last round that the
     *                      link had not copied (the link's lag then)
     */
    public record Row(String sourceTopic, String targetTopic, int partition, OptionalLong committed,
                      Optional<Instant> committedAt, OptionalLong mm2, Optional<Instant> mm2At, OptionalLong mm2Upstream,
                      Optional<OffsetMap.Translation> translation, OptionalLong onTarget, long targetStart,
                      long targetEnd, long behind, Status status, long reread, long missed, long atRisk) {

        public TopicPartition source() {
            return new TopicPartition(sourceTopic, partition);
        }

        public TopicPartition target() {
            return new TopicPartition(targetTopic, partition);
        }

        /** The offset {@code failover --apply} sets, or empty when it leaves the partition as it is. */
        public OptionalLong planned() {
            if (translation.isEmpty()) {
                return OptionalLong.empty();
            }
            return switch (status) {
                case STALE, NO_CHECKPOINT -> OptionalLong.of(translation.get().offset());
                case BELOW_LOG_START -> OptionalLong.of(Math.max(targetStart, translation.get().offset()));
                default -> OptionalLong.empty();
            };
        }

        /** Records MirrorMaker 2's translation alone would read again (or, negative, skip), compared with Strait's. */
        public OptionalLong mm2Reread() {
            if (mm2.isEmpty() || translation.isEmpty()) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(translation.get().offset() - mm2.getAsLong());
        }
    }

    /**
     * A group's report.
     *
     * @param sourceReachable false: the positions are those last recorded, see {@code lastRound}
     * @param targetState     the group's state on the target ({@code NONE} when it does not exist there)
     * @param lastRound       when the daemon last read every group of the link on the source
     */
    public record Report(String link, String group, boolean sourceReachable, String targetState, int targetMembers,
                         List<Row> rows, Optional<Instant> lastRound, List<String> notes) {

        public boolean wouldMiss() {
            return rows.stream().anyMatch(r -> r.missed() > 0);
        }

        public boolean active() {
            return targetMembers > 0;
        }

        public long reread() {
            return rows.stream().mapToLong(Row::reread).sum();
        }

        public long missed() {
            return rows.stream().mapToLong(Row::missed).sum();
        }
    }

    /** What {@code --apply} did to one group. */
    public record Applied(Report report, Map<TopicPartition, Long> set) {
    }

    private final LinkEnds ends;
    private final boolean reuseExact;
    private OffsetMap map;
    private GroupCheckpoint.Store stored;
    private Map<String, Map<TopicPartition, LinkEnds.Mm2Checkpoint>> mm2;

    public FailoverPlanner(LinkEnds ends) {
        this.ends = ends;
        this.reuseExact = false;
    }

    /**
     * A planner over what the caller already read (the daemon keeps them up to date between rounds).
     * An exact checkpoint in {@code stored} of the offset a group still has is used as it is, not
     * translated again: a translation, once exact, stays right (a later copy can only add positions).
     */
    public FailoverPlanner(LinkEnds ends, OffsetMap map, GroupCheckpoint.Store stored,
                           Map<String, Map<TopicPartition, LinkEnds.Mm2Checkpoint>> mm2) {
        this.ends = ends;
        this.map = map;
        this.stored = stored;
        this.mm2 = mm2;
        this.reuseExact = true;
    }

    /** The groups to report: those the link selects on the source (or, when it is gone, those checkpointed) matching the pattern. */
    public List<String> groups(Pattern pattern) {
        Set<String> groups = new TreeSet<>();
        if (ends.sourceReachable()) {
            groups.addAll(ends.selectedSourceGroups());
        } else {
            groups.addAll(stored().groups());
            groups.addAll(mm2().keySet());
        }
        groups.removeIf(g -> !pattern.matcher(g).matches());
        return new ArrayList<>(groups);
    }

    /** The report of one group. */
    public Report report(String group) {
        return reports(List.of(group)).get(0);
    }

    /** The reports of several groups, with each cluster asked once for all of them. */
    public List<Report> reports(List<String> groups) {
        boolean sourceUp = ends.sourceReachable();
        Map<String, LinkEnds.Group> onTarget = ends.targetGroups(groups);
        Map<String, LinkEnds.Group> onSource = sourceUp ? ends.sourceGroups(groups) : Map.of();
        Optional<GroupCheckpoint.Round> round = stored().round();

        // Each group's position on the source, per source partition: now, or as last recorded.
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        Map<String, Map<TopicPartition, Instant>> committedAt = new HashMap<>();
        for (String group : groups) {
            GroupPositions.Recorded positions = sourceUp
                    ? new GroupPositions.Recorded(new HashMap<>(onSource.get(group).offsets()), new HashMap<>())
                    : GroupPositions.lastRecorded(stored().of(group), mm2().getOrDefault(group, Map.of()), ends::sourceTopic);
            committed.put(group, positions.offsets());
            committedAt.put(group, positions.at());
        }
        Set<TopicPartition> sources = new HashSet<>();
        committed.values().forEach(o -> sources.addAll(o.keySet()));
        Map<TopicPartition, TopicPartition> targets = new HashMap<>();
        sources.forEach(tp -> ends.targetTopic(tp.topic())
                .ifPresent(t -> targets.put(tp, new TopicPartition(t, tp.partition()))));
        Map<String, String> topicIds = sourceUp
                ? ends.sourceTopicIds(sources.stream().map(TopicPartition::topic).distinct().toList()) : Map.of();
        Map<TopicPartition, Long> starts = ends.targetOffsets(targets.values(), OffsetSpec.earliest());
        Map<TopicPartition, Long> endsOn = ends.targetOffsets(targets.values(), OffsetSpec.latest());

        List<Report> reports = new ArrayList<>();
        for (String group : groups) {
            reports.add(report(group, sourceUp, onTarget.get(group), committed.get(group), committedAt.get(group),
                    targets, topicIds, starts, endsOn, round));
        }
        return reports;
    }

    private Report report(String group, boolean sourceUp, LinkEnds.Group onTarget, Map<TopicPartition, Long> committed,
                          Map<TopicPartition, Instant> committedAt, Map<TopicPartition, TopicPartition> targets,
                          Map<String, String> topicIds, Map<TopicPartition, Long> starts,
                          Map<TopicPartition, Long> endsOn, Optional<GroupCheckpoint.Round> round) {
        Map<TopicPartition, LinkEnds.Mm2Checkpoint> mm2 = mm2().getOrDefault(group, Map.of());
        Map<TopicPartition, GroupCheckpoint> checkpoints = stored().of(group);
        List<String> notes = new ArrayList<>();
        if (!sourceUp) {
            notes.add(ends.link().source() + " cannot be reached: positions are the last ones recorded while it could"
                    + round.map(r -> " (Strait last read every group at " + r.at() + ")").orElse(""));
        }
        List<Row> rows = new ArrayList<>();
        if (committed.isEmpty()) {
            rows.add(new Row("-", "-", -1, OptionalLong.empty(), Optional.empty(), OptionalLong.empty(),
                    Optional.empty(), OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), 0, 0, 0,
                    Status.NO_COMMIT, 0, 0, 0));
            notes.add("group " + group + " has no committed offset on " + ends.link().source()
                    + " for a topic the link replicates" + (sourceUp ? "" : " (none was recorded)")
                    + ": there is nothing to translate");
            return new Report(ends.link().toString(), group, sourceUp, onTarget.stateName(), onTarget.members(), rows,
                    round.map(GroupCheckpoint.Round::at), notes);
        }
        OffsetMap offsetMap = map();
        List<TopicPartition> ordered = committed.keySet().stream().filter(targets::containsKey)
                .sorted(Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition)).toList();
        for (TopicPartition source : ordered) {
            TopicPartition target = targets.get(source);
            long c = committed.get(source);
            Long start = starts.get(target);
            Long end = endsOn.get(target);
            GroupPositions.Clamped translation = GroupPositions.clampToEnd(GroupPositions.translate(source, c,
                    checkpoints.get(source), sourceUp, reuseExact, offsetMap, Optional.ofNullable(topicIds.get(source.topic())),
                    sourceUp ? Optional.of(ends.sourceCounter()) : Optional.empty()), end);
            OptionalLong groupOffset = onTarget.offsets().containsKey(target)
                    ? OptionalLong.of(onTarget.offsets().get(target)) : OptionalLong.empty();
            rows.add(row(source, target, c, Optional.ofNullable(committedAt.get(source)), mm2.get(target),
                    translation.translation(), groupOffset, start == null ? 0 : start, end == null ? 0 : end,
                    translation.behind(), onTarget.active(),
                    sourceUp ? 0 : round.map(r -> r.atRisk(source)).orElse(0L)));
        }
        committed.keySet().stream().filter(tp -> !targets.containsKey(tp)).forEach(tp ->
                notes.add(tp + " is not replicated by the link"));
        if (onTarget.active()) {
            notes.add("group " + group + " has " + onTarget.members() + " active member" + (onTarget.members() == 1 ? "" : "s") + " on " + ends.link().target()
                    + ": its offsets there are its own; failover refuses to change them");
        }
        if (rows.stream().anyMatch(r -> r.translation().isEmpty())) {
            notes.add("partitions without Strait's translation were copied before the link kept an offset map,"
                    + " or not at all");
        }
        return new Report(ends.link().toString(), group, sourceUp, onTarget.stateName(), onTarget.members(), rows,
                round.map(GroupCheckpoint.Round::at), notes);
    }

    static Row row(TopicPartition source, TopicPartition target, long committed, Optional<Instant> committedAt,
                           LinkEnds.Mm2Checkpoint mm2, Optional<OffsetMap.Translation> translation,
                           OptionalLong onTarget, long targetStart, long targetEnd, long behind, boolean active,
                           long atRisk) {
        Status status;
        long reread = 0;
        long missed = 0;
        if (translation.isEmpty()) {
            status = onTarget.isEmpty() ? Status.NO_CHECKPOINT : Status.OK;
        } else {
            long t = translation.get().offset();
            if (t < targetStart) {
                status = Status.BELOW_LOG_START;
                missed = targetStart - t;
            } else if (onTarget.isEmpty()) {
                status = Status.NO_CHECKPOINT;
                // Kafka's default auto.offset.reset (latest) skips everything the target holds after the position.
                missed = targetEnd - t;
            } else if (onTarget.getAsLong() > t) {
                status = Status.TARGET_AHEAD;
                missed = onTarget.getAsLong() - t;
            } else if (onTarget.getAsLong() < t) {
                status = Status.STALE;
                reread = t - Math.max(onTarget.getAsLong(), targetStart);
            } else {
                status = Status.OK;
            }
            if (onTarget.isPresent() && onTarget.getAsLong() < targetStart && status != Status.BELOW_LOG_START) {
                // Consumers would reset by auto.offset.reset anyway: count it as the reset to the end.
                status = Status.BELOW_LOG_START;
                missed = Math.max(missed, targetEnd - t);
                reread = 0;
            }
        }
        if (active) {
            status = Status.ACTIVE_ON_TARGET;
        }
        return new Row(source.topic(), target.topic(), source.partition(), OptionalLong.of(committed), committedAt,
                mm2 == null ? OptionalLong.empty() : OptionalLong.of(mm2.downstream()),
                mm2 == null ? Optional.empty() : Optional.of(mm2.at()),
                mm2 == null ? OptionalLong.empty() : OptionalLong.of(mm2.upstream()),
                translation, onTarget, targetStart, targetEnd, behind, status, reread, missed, atRisk);
    }

    /**
     * Sets the group's offsets on the target to Strait's translation, where the report plans it.
     *
     * @throws FailoverException while the group has active members on the target
     */
    public Applied apply(Report report) {
        if (report.active()) {
            throw new FailoverException("group " + report.group() + " has " + report.targetMembers() + " active member"
                    + (report.targetMembers() == 1 ? "" : "s") + " on " + ends.link().target()
                    + ": stop its consumers there first (Kafka lets only a group without members have its offsets set)");
        }
        Map<TopicPartition, Long> set = new LinkedHashMap<>();
        for (Row row : report.rows()) {
            row.planned().ifPresent(offset -> set.put(row.target(), offset));
        }
        if (!set.isEmpty()) {
            ends.alterTargetOffsets(report.group(), set);
        }
        return new Applied(report, set);
    }

    OffsetMap map() {
        if (map == null) {
            map = ends.offsetMap();
        }
        return map;
    }

    GroupCheckpoint.Store stored() {
        if (stored == null) {
            stored = ends.straitCheckpoints();
        }
        return stored;
    }

    Map<String, Map<TopicPartition, LinkEnds.Mm2Checkpoint>> mm2() {
        if (mm2 == null) {
            mm2 = ends.mm2Checkpoints(g -> true);
        }
        return mm2;
    }

    /** Age of an instant, for people: {@code 4s}, {@code 3m12s}. */
    public static String age(Instant at, Instant now) {
        Duration d = Duration.between(at, now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        return (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
}
