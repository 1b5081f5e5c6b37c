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
