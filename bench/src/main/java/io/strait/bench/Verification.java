package io.strait.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The comparison of a target topic with its source, partition by partition: the same partition
 * numbers, and in each the same records (key, value, headers, timestamp) in the same order, none
 * missing and none twice.
 */
record Verification(boolean ok, String summary, List<String> problems) {

    static Verification failed(String why) {
        return new Verification(false, why, List.of(why));
    }

    static Verification compare(BenchRecords.TopicContent source, BenchRecords.TopicContent target) {
        List<String> problems = new ArrayList<>();
        if (!source.digests().keySet().equals(target.digests().keySet())) {
            problems.add(target.topic() + " has partitions " + target.digests().keySet() + ", " + source.topic()
                    + " has " + source.digests().keySet());
        }
        for (var e : source.digests().entrySet()) {
            int p = e.getKey();
            long[] want = e.getValue();
            long[] got = target.digests().get(p);
            if (got == null) {
                problems.add("partition " + p + ": missing on the target (" + want.length + " records lost)");
                continue;
            }
            if (!java.util.Arrays.equals(want, got)) {
                problems.add("partition " + p + ": " + describe(want, got));
            }
        }
        if (problems.isEmpty()) {
            return new Verification(true, String.format("ok: %,d records in %d partitions, identical per partition",
                    target.records(), target.digests().size()), List.of());
        }
        return new Verification(false, "FAILED: " + problems.get(0)
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""), problems);
    }

    /**
     * A target that may hold records twice (a replicator restarted after a crash, at least once):
     * per partition number, every source record must be on the target, nothing may be there that
     * the source does not hold, and the target's records, each taken at its first copy, must be
     * in the source's order. Copies after the first are counted, not refused.
     *
     * @param lost       source records missing on the target
     * @param duplicates target records that are a second (or later) copy of a source record
     * @param invented   target records that are no source record
     * @param beyond     records on the target beyond the source's count
     */
    record Copies(boolean ok, String summary, long lost, long duplicates, long invented, long beyond,
                  List<String> problems) {
    }

    static Copies countCopies(BenchRecords.TopicContent source, BenchRecords.TopicContent target) {
        List<String> problems = new ArrayList<>();
        if (!source.digests().keySet().equals(target.digests().keySet())) {
            problems.add(target.topic() + " has partitions " + target.digests().keySet() + ", " + source.topic()
                    + " has " + source.digests().keySet());
        }
        long lost = 0;
        long duplicates = 0;
        long invented = 0;
        for (var e : source.digests().entrySet()) {
            int p = e.getKey();
            long[] want = e.getValue();
            long[] got = target.digests().getOrDefault(p, new long[0]);
            Map<Long, Integer> left = new HashMap<>();
            Map<Long, Integer> inSource = new HashMap<>();
            for (long d : want) {
                left.merge(d, 1, Integer::sum);
                inSource.merge(d, 1, Integer::sum);
            }
            BenchRecords.LongList firstCopies = new BenchRecords.LongList();
            long partitionDuplicates = 0;
            long partitionInvented = 0;
            for (long d : got) {
                Integer n = left.get(d);
                if (n != null && n > 0) {
                    left.put(d, n - 1);
                    firstCopies.add(d);
                } else if (inSource.containsKey(d)) {
                    partitionDuplicates++;
                } else {
                    partitionInvented++;
                }
            }
            long partitionLost = left.values().stream().mapToLong(Integer::longValue).sum();
            if (partitionLost > 0) {
                problems.add(String.format("partition %d: %,d records lost", p, partitionLost));
            }
            if (partitionInvented > 0) {
                problems.add(String.format("partition %d: %,d records that the source does not hold", p, partitionInvented));
            }
            if (partitionLost == 0 && partitionInvented == 0 && !java.util.Arrays.equals(want, firstCopies.toArray())) {
                problems.add("partition " + p + ": first copies not in the source's order");
            }
            lost += partitionLost;
            duplicates += partitionDuplicates;
            invented += partitionInvented;
        }
        for (var e : target.digests().entrySet()) {
            if (!source.digests().containsKey(e.getKey())) {
                invented += e.getValue().length;
            }
        }
        long beyond = target.records() - source.records();
        String counts = String.format("%,d lost, %,d copied twice, %,d not in the source; target %,d records, source %,d",
                lost, duplicates, invented, target.records(), source.records());
        if (problems.isEmpty()) {
            return new Copies(true, "ok: " + counts + ", first copies in the source's order", lost, duplicates,
                    invented, beyond, List.of());
        }
        return new Copies(false, "FAILED: " + problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                + " more)" : "") + "; " + counts, lost, duplicates, invented, beyond, problems);
    }

    /** What is wrong in one partition: lost, duplicated, changed or reordered records. */
    private static String describe(long[] want, long[] got) {
        int first = 0;
        while (first < want.length && first < got.length && want[first] == got[first]) {
            first++;
        }
        Map<Long, Integer> counts = new HashMap<>();
        for (long d : want) {
            counts.merge(d, 1, Integer::sum);
        }
        long extra = 0;
        for (long d : got) {
            Integer left = counts.get(d);
            if (left == null || left == 0) {
                extra++;
            } else {
                counts.put(d, left - 1);
            }
        }
        long missing = counts.values().stream().mapToLong(Integer::longValue).sum();
        Map<Long, Integer> seen = new HashMap<>();
        long duplicates = 0;
        for (long d : got) {
            if (seen.merge(d, 1, Integer::sum) > 1) {
                duplicates++;
            }
        }
        String order = missing == 0 && extra == 0 ? ", same records in another order" : "";
        return String.format("source %,d records, target %,d; first difference at offset %,d; %,d missing, "
                + "%,d not in the source or extra (%,d duplicates)%s", want.length, got.length, first, missing, extra,
                duplicates, order);
    }
}
