package io.strait.failover;

import io.strait.replication.OffsetMapEntry;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * A link's offset map, read from its {@link OffsetMapEntry} records: for each source partition, how
 * source offsets map to target offsets. It answers the two questions of failover and failback:
 * <ul>
 *   <li>{@link #toTarget}: a consumer group committed source offset {@code c} (the next record it
 *       would read); from which target offset does it read exactly the records after those it
 *       consumed?</li>
 *   <li>{@link #toSource}: the reverse, for a group that consumed the copies on the target.</li>
 * </ul>
 * Where a run of the map is not one-to-one ({@link OffsetMapEntry#drift()} above 0), or lies past
 * the last entry the link wrote, the answer is exact only if the caller can count records on the
 * cluster that still has them ({@link Counter}); otherwise it is the conservative end of the range
 * (records are read again, never skipped) and says how many records it may re-read.
 *
 * <p>Not thread-safe: build it, then query it.
 */
public final class OffsetMap {

    /** Counts records on a cluster, for the parts of the map that are not one-to-one. */
    public interface Counter {
        /** Records of the partition with offsets in {@code [from, to)}, read_committed (as the link reads). */
        long count(TopicPartition partition, long from, long to);

        /**
         * The offset of the record that is {@code n} records after offset {@code from} (n = 0: the
         * first record at or after {@code from}); empty when the partition has fewer.
         */
        OptionalLong offsetAfter(TopicPartition partition, long from, long n);
    }

    /**
     * Where a group's position lands on the other side.
     *
     * @param offset      the offset to commit there (the conservative end of the range when not exact)
     * @param exact       true when the map (with counting, where needed) gives one answer
     * @param uncertainty when not exact: how many records at most are read again because of it
     * @param duplicates  records after {@code offset} that the link copied twice (a restart re-copied
     *                    them): a consumer reads them twice whatever the translation, at least this many
     * @param basis       how it was found, for people: {@code "map"}, {@code "map+count"}, ...
     */
    public record Translation(long offset, boolean exact, long uncertainty, long duplicates, String basis) {
    }

    private final Map<TopicPartition, TreeMap<Long, Lifetime>> partitions = new HashMap<>();
    private long entries;

    /** Adds one entry; a later TAIL of the same lifetime replaces the earlier one. */
    public void add(OffsetMapEntry entry) {
        entries++;
        Lifetime lifetime = partitions.computeIfAbsent(entry.sourcePartition(), tp -> new TreeMap<>())
                .computeIfAbsent(entry.lifetime(), l -> new Lifetime(l));
        lifetime.add(entry);
    }

    /** How many entries were added (TAILs included, each time). */
    public long entries() {
        return entries;
    }

    public Set<TopicPartition> partitions() {
        return partitions.keySet();
    }

    /** True when the map knows something of the partition (copied by Strait since the map exists). */
    public boolean covers(TopicPartition source, Optional<String> topicId) {
        return !lifetimes(source, topicId).isEmpty();
    }

    /** The source topic ID of the partition's latest lifetime (the topic the link copies now), if recorded. */
    public Optional<String> latestTopicId(TopicPartition source) {
        List<Lifetime> all = lifetimes(source, Optional.empty());
        return all.isEmpty() ? Optional.empty() : all.get(all.size() - 1).start().topicId();
    }

    /**
     * Source offset of the last record the map knows was copied, or empty; with its target offset.
     */
    public Optional<long[]> lastKnown(TopicPartition source, Optional<String> topicId) {
        List<Lifetime> lifetimes = lifetimes(source, topicId);
        if (lifetimes.isEmpty()) {
            return Optional.empty();
        }
        Run last = lifetimes.get(lifetimes.size() - 1).runs().get(lifetimes.get(lifetimes.size() - 1).runs().size() - 1);
        return Optional.of(new long[] {last.ub, last.db});
    }

    /**
     * Translates a committed source offset to the target.
     *
     * @param source    the source partition
     * @param committed the group's committed offset on the source: the next record it would read
     * @param topicId   the source topic's current ID, when known: entries of an older topic of the
     *                  same name are ignored
     * @param targetEnd the target partition's end offset, when known: a translation never lies past it
     * @param counter   counts records on the source, for runs that are not one-to-one; empty when the
     *                  source cannot be read (it is gone)
     * @return empty when the map knows nothing of the partition
     */
    public Optional<Translation> toTarget(TopicPartition source, long committed, Optional<String> topicId,
                                          OptionalLong targetEnd, Optional<Counter> counter) {
        List<Lifetime> lifetimes = lifetimes(source, topicId);
        if (lifetimes.isEmpty()) {
            return Optional.empty();
        }
        // The last lifetime that started at or before the committed offset: every later lifetime started
        // after it, and each lifetime copies onwards without a gap, so from the committed offset's place in
        // it, every record at or after the committed offset follows (MirrorSourceTask resumes after its
        // committed position, never past it).
        int chosen = -1;
        for (int i = 0; i < lifetimes.size(); i++) {
            if (lifetimes.get(i).start().upstream() <= committed) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            // Below the first record the link copied (the source had removed what lies before it).
            Lifetime first = lifetimes.get(0);
            return Optional.of(clamp(new Translation(first.start().downstream(), true, 0,
                    duplicatesAfter(lifetimes, 0, committed), "map (below the first copied record)"), targetEnd));
        }
        Lifetime lifetime = lifetimes.get(chosen);
        Lifetime next = chosen + 1 < lifetimes.size() ? lifetimes.get(chosen + 1) : null;
        long duplicates = duplicatesAfter(lifetimes, chosen + 1, committed);
        List<Run> runs = lifetime.runs();
        int r = 0;
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).ua <= committed) {
                r = i;
            }
        }
        Run run = runs.get(r);
        Translation t;
        // Source offset of the first record at or after the committed offset, where it is known.
        long firstAfter = -1;
        if (committed <= run.ub) {
            long linear = run.da + (committed - run.ua);
            if (run.drift == 0) {
                t = new Translation(linear, true, 0, duplicates, "map");
            } else if (counter.isPresent()) {
                long n = counter.get().count(source, run.ua, committed);
                t = new Translation(Math.min(run.db, run.da + n), true, 0, duplicates, "map+count");
                if (next != null && next.start().upstream() <= run.ub) {
                    firstAfter = counter.get().offsetAfter(source, committed, 0).orElse(-1);
                }
            } else {
                long low = Math.max(run.da, linear - run.drift);
                long high = Math.min(run.db, linear + run.drift);
                if (next != null && next.start().upstream() <= run.ub) {
                    // The next lifetime may start at the very record that follows the committed offset:
                    // reading from its start would then read nothing twice.
                    high = Math.max(high, next.start().downstream());
                }
                t = new Translation(low, false, high - low, duplicates, "map (a run that is not one-to-one)");
            }
        } else if (r + 1 < runs.size()) {
            // Between two runs: the committed offset has no record (a gap); the next run's first record follows.
            t = new Translation(runs.get(r + 1).da, true, 0, duplicates, "map");
            firstAfter = runs.get(r + 1).ua;
        } else {
            // Past the last record the map knows of in this lifetime.
            long upper = next != null ? next.start().downstream() : Long.MAX_VALUE;
            if (counter.isPresent()) {
                long n = counter.get().count(source, run.ub + 1, committed);
                t = new Translation(Math.min(upper, run.db + 1 + n), true, 0, duplicates, "map+count");
                if (next != null) {
                    firstAfter = counter.get().offsetAfter(source, committed, 0).orElse(-1);
                }
            } else {
                long linear = run.db + (committed - run.ub);
                long low = run.db + 1;
                long high = Math.min(upper, linear);
                if (next != null) {
                    // The next lifetime may start at the very record that follows the committed offset.
                    high = Math.max(high, next.start().downstream());
                }
                t = new Translation(low, high <= low, Math.max(0, high - low), duplicates,
                        "map (past the last position it recorded)");
                if (next != null && next.start().downstream() <= low) {
                    // The lifetime copied nothing after its last recorded record: the next one's first follows.
                    firstAfter = next.start().upstream();
                }
            }
        }
        // A later lifetime that starts at exactly that record copies it and everything after it again:
        // reading from there reads nothing twice.
        while (firstAfter >= 0 && chosen + 1 < lifetimes.size()
                && lifetimes.get(chosen + 1).start().upstream() == firstAfter) {
            chosen++;
            t = new Translation(lifetimes.get(chosen).start().downstream(), true, 0,
                    duplicatesAfter(lifetimes, chosen + 1, committed), t.basis());
        }
        return Optional.of(clamp(t, targetEnd));
    }

    /**
     * Translates a position on the target back to the source: the source offset of the record at
     * target offset {@code position} (or of the first one after it), so that a group committing it on the
     * source reads exactly the records after those it consumed on the target.
     *
     * @param position      the group's committed offset on the target
     * @param targetCounter counts records on the target (for runs that are not one-to-one), if readable
     * @param sourceCounter finds records on the source, if readable
     * @return empty when the map knows nothing of the partition
     */
    public Optional<Translation> toSource(TopicPartition source, long position, Optional<String> topicId,
                                          Optional<Counter> targetCounter, Optional<Counter> sourceCounter,
                                          TopicPartition target) {
        List<Lifetime> lifetimes = lifetimes(source, topicId);
        if (lifetimes.isEmpty()) {
            return Optional.empty();
        }
        int chosen = -1;
        for (int i = 0; i < lifetimes.size(); i++) {
            if (lifetimes.get(i).start().downstream() <= position) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            return Optional.of(new Translation(lifetimes.get(0).start().upstream(), true, 0, 0,
                    "map (before the first copy)"));
        }
        Lifetime lifetime = lifetimes.get(chosen);
        List<Run> runs = lifetime.runs();
        int r = 0;
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).da <= position) {
                r = i;
            }
        }
        Run run = runs.get(r);
        if (position <= run.db) {
            if (run.drift == 0) {
                return Optional.of(new Translation(run.ua + (position - run.da), true, 0, 0, "map"));
            }
            return counted(source, run.ua, run.da, position, target, targetCounter, sourceCounter, run.ub);
        }
        if (r + 1 < runs.size()) {
            return Optional.of(new Translation(runs.get(r + 1).ua, true, 0, 0, "map"));
        }
        // Past the last position the lifetime recorded: count from its last known record onwards.
        return counted(source, run.ub + 1, run.db + 1, position, target, targetCounter, sourceCounter, Long.MAX_VALUE);
    }

    private static Optional<Translation> counted(TopicPartition source, long ua, long da, long position,
                                                 TopicPartition target, Optional<Counter> targetCounter,
                                                 Optional<Counter> sourceCounter, long upperBound) {
        if (targetCounter.isPresent() && sourceCounter.isPresent()) {
            long n = targetCounter.get().count(target, da, position);
            OptionalLong at = sourceCounter.get().offsetAfter(source, ua, n);
            if (at.isPresent()) {
                return Optional.of(new Translation(Math.min(upperBound, at.getAsLong()), true, 0, 0, "map+count"));
            }
        }
        // Conservative: the run's start (what follows it on the source is read again, never skipped).
        long linear = ua + (position - da);
        return Optional.of(new Translation(ua, false, Math.max(0, Math.min(upperBound, linear) - ua), 0,
                "map (a run that is not one-to-one)"));
    }

    private static Translation clamp(Translation t, OptionalLong targetEnd) {
        if (targetEnd.isPresent() && t.offset() > targetEnd.getAsLong()) {
            // The link has not copied that far yet: the copies arrive after the end, and are read then.
            return new Translation(targetEnd.getAsLong(), t.exact(), t.uncertainty(), t.duplicates(),
                    t.basis() + ", at the target's end");
        }
        return t;
    }

    /** Records of the lifetimes from index {@code from} on that repeat what an earlier lifetime copied. */
    private static long duplicatesAfter(List<Lifetime> lifetimes, int from, long committed) {
        long duplicates = 0;
        for (int i = Math.max(1, from); i < lifetimes.size(); i++) {
            Run previousEnd = lastRun(lifetimes.get(i - 1));
            long overlapEnd = previousEnd.ub;
            long start = Math.max(lifetimes.get(i).start().upstream(), committed);
            if (overlapEnd >= start) {
                duplicates += overlapEnd - start + 1;
            }
        }
        return duplicates;
    }

    private static Run lastRun(Lifetime lifetime) {
        List<Run> runs = lifetime.runs();
        return runs.get(runs.size() - 1);
    }

    private List<Lifetime> lifetimes(TopicPartition source, Optional<String> topicId) {
        TreeMap<Long, Lifetime> all = partitions.get(source);
        if (all == null) {
            return List.of();
        }
        List<Lifetime> matching = new ArrayList<>();
        for (Lifetime lifetime : all.values()) {
            if (lifetime.start() == null) {
                continue;   // its START was not read (compaction cannot remove it; a partial read can)
            }
            Optional<String> id = lifetime.start().topicId();
            if (topicId.isPresent() && id.isPresent() && !id.equals(topicId)) {
                continue;
            }
            matching.add(lifetime);
        }
        return matching;
    }

    /**
     * A run of one lifetime: source offsets {@code [ua, ub]} copied to target offsets
     * {@code [da, db]}, one-to-one when {@code drift} is 0.
     */
    record Run(long ua, long da, long ub, long db, long drift) {
    }

    /** One task's copy of a partition: its START, CHANGEs and latest TAIL. */
    static final class Lifetime {
        private final long id;
        private OffsetMapEntry start;
        private final TreeMap<Long, OffsetMapEntry> changes = new TreeMap<>();
        private OffsetMapEntry tail;
        private List<Run> runs;

        Lifetime(long id) {
            this.id = id;
        }

        void add(OffsetMapEntry entry) {
            runs = null;
            switch (entry.kind()) {
                case START -> start = entry;
                case CHANGE -> changes.put(entry.downstream(), entry);
                case TAIL -> {
                    if (tail == null || entry.downstream() >= tail.downstream()) {
                        tail = entry;
                    }
                }
                default -> throw new IllegalStateException(entry.kind().name());
            }
        }

        OffsetMapEntry start() {
            return start;
        }

        List<Run> runs() {
            if (runs != null) {
                return runs;
            }
            List<OffsetMapEntry> points = new ArrayList<>();
            points.add(start);
            points.addAll(changes.values());
            List<Run> built = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                OffsetMapEntry from = points.get(i);
                if (i + 1 < points.size()) {
                    OffsetMapEntry to = points.get(i + 1);
                    built.add(new Run(from.upstream(), from.downstream(), to.prevUpstream(), to.prevDownstream(),
                            to.drift()));
                } else if (tail != null && tail.downstream() >= from.downstream()) {
                    built.add(new Run(from.upstream(), from.downstream(), tail.upstream(), tail.downstream(),
                            tail.drift()));
                } else {
                    built.add(new Run(from.upstream(), from.downstream(), from.upstream(), from.downstream(), 0));
                }
            }
            // A run whose ends disagree with its drift spans a change of delta that no entry records (the
            // writer's send of that CHANGE failed): it is not one-to-one, by at least that much.
            for (int i = 0; i < built.size(); i++) {
                Run run = built.get(i);
                long discrepancy = Math.abs((run.db - run.da) - (run.ub - run.ua));
                if (discrepancy > run.drift) {
                    built.set(i, new Run(run.ua, run.da, run.ub, run.db, run.drift + discrepancy));
                }
            }
            runs = built;
            return runs;
        }

        @Override
        public String toString() {
            return "Lifetime " + id + " " + runs();
        }
    }
}
