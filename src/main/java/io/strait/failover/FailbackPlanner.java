package io.strait.failover;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Moves a consumer group back from B to A once A has returned, after a failover A to B:
 * <ul>
 *   <li>on the copies B holds of A's topics ({@code a.orders}), the group's position is translated
 *       back through the A->B link's offset map to A's own topic ({@code orders}): the source record of
 *       the next copy it would read. Records A holds that never reached B (taken by A before it was
 *       lost, not copied in time) follow on A; they are reported, since the group never saw them.</li>
 *   <li>on B's own topics ({@code orders}, produced on B in the meantime), the position is translated
 *       forward through the B->A link's offset map to their copies on A ({@code b.orders}), exactly as
 *       {@code failover} does. Without a B->A link they are reported as not replicated back.</li>
 * </ul>
 * Rows use {@link FailoverPlanner.Row} with the group's current cluster (B) as the "source" side.
 */
public final class FailbackPlanner {

    private final LinkEnds forward;
    private final Optional<LinkEnds> back;

    /**
     * @param forward the link the group failed over along (A->B), whose source is where it returns
     * @param back    the link B->A, when the topology has one
     */
    public FailbackPlanner(LinkEnds forward, Optional<LinkEnds> back) {
        this.forward = forward;
        this.back = back;
    }

    /** The groups on B (the forward link's target) that match, whether A knows them or not. */
    public List<String> groups(java.util.regex.Pattern pattern) {
        return back.map(b -> b.selectedSourceGroups()).orElseGet(List::of).stream()
                .filter(g -> pattern.matcher(g).matches()).toList();
    }

    public FailoverPlanner.Report report(String group) {
        String from = forward.link().target();
        String to = forward.link().source();
        if (!forward.sourceReachable()) {
            throw new FailoverException("cannot reach " + to + ": failback needs it back");
        }
        LinkEnds.Group onB = forward.targetGroup(group);
        LinkEnds.Group onA = forward.sourceGroupAllTopics(group);
        List<FailoverPlanner.Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        OffsetMap forwardMap = forward.offsetMap();
        Map<TopicPartition, Long> positions = new java.util.TreeMap<>(Comparator.comparing(TopicPartition::topic)
                .thenComparing(TopicPartition::partition));
        positions.putAll(onB.offsets());

        // 1. Copies of A's topics on B: back to A's own topic.
        Map<TopicPartition, TopicPartition> copies = new LinkedHashMap<>();
        positions.keySet().forEach(tp -> forward.sourceTopic(tp.topic())
                .ifPresent(s -> copies.put(tp, new TopicPartition(s, tp.partition()))));
        Map<TopicPartition, Long> bEnds = forward.targetOffsets(copies.keySet(), OffsetSpec.latest());
        Map<TopicPartition, Long> aStarts = forward.sourceOffsets(copies.values(), OffsetSpec.earliest());
        Map<TopicPartition, Long> aEnds = forward.sourceOffsets(copies.values(), OffsetSpec.latest());
        Map<String, String> ids = forward.sourceTopicIds(copies.values().stream().map(TopicPartition::topic)
                .distinct().toList());
        for (Map.Entry<TopicPartition, TopicPartition> e : copies.entrySet()) {
            TopicPartition onBTp = e.getKey();
            TopicPartition onATp = e.getValue();
            long position = positions.get(onBTp);
            long bEnd = bEnds.getOrDefault(onBTp, position);
            Optional<String> id = Optional.ofNullable(ids.get(onATp.topic()));
            Optional<OffsetMap.Translation> t;
            if (position >= bEnd && position > 0) {
                // Consumed every copy: resume after the source record of the last one.
                t = forwardMap.toSource(onATp, position - 1, id, Optional.of(forward.targetCounter()),
                        Optional.of(forward.sourceCounter()), onBTp).map(x -> new OffsetMap.Translation(x.offset() + 1,
                        x.exact(), x.uncertainty(), 0, x.basis() + ", after the last copy"));
            } else {
                t = forwardMap.toSource(onATp, position, id, Optional.of(forward.targetCounter()),
                        Optional.of(forward.sourceCounter()), onBTp);
            }
            long aEnd = aEnds.getOrDefault(onATp, 0L);
            long neverCopied = 0;
            if (t.isPresent() && position >= bEnd) {
                // The group read every copy on B: what A holds from the next source offset on never reached B.
                neverCopied = Math.max(0, aEnd - t.get().offset());
            }
            if (neverCopied > 0) {
                notes.add(onATp + ": " + neverCopied + (neverCopied == 1 ? " record" : " records") + " on " + to + " never reached " + from
                        + " (taken before it was lost, not copied in time): the group reads them on " + to);
            }
            rows.add(FailoverPlanner.row(onBTp, onATp, position, Optional.empty(), null, t,
                    onA.offsets().containsKey(onATp) ? OptionalLong.of(onA.offsets().get(onATp)) : OptionalLong.empty(),
                    aStarts.getOrDefault(onATp, 0L), aEnd, 0, onA.active(), neverCopied));
        }

        // 2. B's own topics: forward over the B->A link to their copies on A.
        List<TopicPartition> own = positions.keySet().stream().filter(tp -> !copies.containsKey(tp)).toList();
        if (!own.isEmpty()) {
            if (back.isEmpty()) {
                own.forEach(tp -> notes.add(tp + " is not copied to " + to + ": the topology has no " + from + "->"
                        + to + " link, so the group's position there cannot move back"));
            } else {
                LinkEnds b = back.get();
                Map<TopicPartition, TopicPartition> targets = new LinkedHashMap<>();
                own.forEach(tp -> b.targetTopic(tp.topic()).ifPresent(t -> targets.put(tp, new TopicPartition(t,
                        tp.partition()))));
                OffsetMap backMap = b.offsetMap();
                Map<String, String> bIds = b.sourceTopicIds(targets.keySet().stream().map(TopicPartition::topic)
                        .distinct().toList());
                Map<TopicPartition, Long> starts = b.targetOffsets(targets.values(), OffsetSpec.earliest());
                Map<TopicPartition, Long> ends = b.targetOffsets(targets.values(), OffsetSpec.latest());
                LinkEnds.Group onAviaBack = b.targetGroup(group);
                for (Map.Entry<TopicPartition, TopicPartition> e : targets.entrySet()) {
                    long c = positions.get(e.getKey());
                    Optional<OffsetMap.Translation> t = backMap.toTarget(e.getKey(), c,
                            Optional.ofNullable(bIds.get(e.getKey().topic())), OptionalLong.empty(),
                            Optional.of(b.sourceCounter()));
                    long end = ends.getOrDefault(e.getValue(), 0L);
                    long behind = 0;
                    if (t.isPresent() && t.get().offset() > end) {
                        behind = t.get().offset() - end;
                        OffsetMap.Translation x = t.get();
                        t = Optional.of(new OffsetMap.Translation(end, x.exact(), x.uncertainty(), x.duplicates(),
                                x.basis() + ", at the target's end"));
                    }
                    rows.add(FailoverPlanner.row(e.getKey(), e.getValue(), c, Optional.empty(), null, t,
                            onAviaBack.offsets().containsKey(e.getValue())
                                    ? OptionalLong.of(onAviaBack.offsets().get(e.getValue())) : OptionalLong.empty(),
                            starts.getOrDefault(e.getValue(), 0L), end, behind, onA.active(), 0));
                }
                own.stream().filter(tp -> !targets.containsKey(tp)).forEach(tp ->
                        notes.add(tp + " is not replicated by " + b.link()));
            }
        }
        if (rows.isEmpty()) {
            rows.add(new FailoverPlanner.Row("-", "-", -1, OptionalLong.empty(), Optional.empty(), OptionalLong.empty(),
                    Optional.empty(), OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), 0, 0, 0,
                    FailoverPlanner.Status.NO_COMMIT, 0, 0, 0));
            notes.add("group " + group + " has no committed offset on " + from + " for a topic that moves back to " + to);
        }
        if (onA.active()) {
            notes.add("group " + group + " has " + onA.members() + " active member" + (onA.members() == 1 ? "" : "s") + " on " + to
                    + ": failback refuses to change its offsets there");
        }
        return new FailoverPlanner.Report(from + "->" + to, group, true, onA.stateName(), onA.members(), rows,
                Optional.empty(), notes);
    }

    /** Sets the group's offsets on A; refuses while the group has members there. */
    public Map<TopicPartition, Long> apply(FailoverPlanner.Report report) {
        if (report.active()) {
            throw new FailoverException("group " + report.group() + " has " + report.targetMembers() + " active member"
                    + (report.targetMembers() == 1 ? "" : "s") + " on " + forward.link().source()
                    + ": stop its consumers there first");
        }
        Map<TopicPartition, Long> set = new LinkedHashMap<>();
        report.rows().forEach(r -> r.planned().ifPresent(o -> set.put(r.target(), o)));
        if (!set.isEmpty()) {
            forward.alterSourceOffsets(report.group(), set);
        }
        return set;
    }

}
