package io.strait.replication;

import io.strait.replication.ReplicationVerifier.PartitionCheck;
import io.strait.replication.ReplicationVerifier.Verdict;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The verdict on one replicated partition, from what was read of its source and its target: a pure
 * function, with no client and no clock ({@link ReplicationVerifier} does the reading).
 *
 * <p>The first arrival of every source record on the target must follow the source's order exactly;
 * a record that arrives again (an at-least-once re-delivery) is a duplicate. Records on the target
 * before the copy of the source's oldest record are copies of records the source no longer holds
 * (OLDER). A copy of a record of an aborted transaction is a record invented (MISMATCH), and so is a
 * record that is not the next one of the source. Source records at or below the position the link
 * committed that are missing on the target are loss (MISMATCH); records the link counted removed at
 * the source before it copied them are LOST; records above the position are not copied yet (LAGGING).
 */
final class PartitionComparison {

    private PartitionComparison() {
    }

    /**
     * A partition read whole: each record's offset and fingerprint ({@link ReplicationVerifier#fingerprint}),
     * in offset order, and the partition's end offset.
     */
    record Records(long[] offsets, long[] fingerprints, long end) {
        static final Records NONE = new Records(new long[0], new long[0], 0);

        /** True when some offset below the end has no record (transaction markers, aborted records, compaction). */
        boolean hasGaps() {
            for (int i = 1; i < offsets.length; i++) {
                if (offsets[i] != offsets[i - 1] + 1) {
                    return true;
                }
            }
            return offsets.length > 0 && offsets[offsets.length - 1] != end - 1;
        }
    }

    /**
     * Fingerprints of the records a {@code read_uncommitted} read has and the {@code read_committed}
     * one lacks (records of aborted transactions), each with its source offset.
     */
    static Map<Long, Long> aborted(Records committed, Records uncommitted) {
        Set<Long> kept = new HashSet<>();
        for (long offset : committed.offsets()) {
            kept.add(offset);
        }
        Map<Long, Long> aborted = new HashMap<>();
        for (int i = 0; i < uncommitted.offsets().length; i++) {
            if (!kept.contains(uncommitted.offsets()[i])) {
                aborted.putIfAbsent(uncommitted.fingerprints()[i], uncommitted.offsets()[i]);
            }
        }
        return aborted;
    }

    /**
     * Compares a target partition with its source.
     *
     * @param sourceRead   the source partition, read_committed
     * @param targetRead   the target partition, read_committed ({@link Records#NONE} when it does not exist yet)
     * @param aborted      records of aborted transactions on the source, see {@link #aborted}
     * @param position     source offset of the last record the link has committed as replicated, if any
     * @param lostAtSource records the link counted removed at the source before it copied them
     */
    static PartitionCheck compare(TopicPartition source, TopicPartition target, Records sourceRead, Records targetRead,
                                  Map<Long, Long> aborted, OptionalLong position, long lostAtSource) {
        long[] expected = sourceRead.fingerprints();
        Set<Long> seen = new HashSet<>();
        int next = 0;
        long duplicates = 0;
        long older = 0;
        Optional<String> problem = Optional.empty();
        long[] got = targetRead.fingerprints();
        for (int i = 0; i < got.length; i++) {
            // A committed record first: an aborted one may have had the same content (a transaction
            // retried by its producer).
            Long abortedAt = aborted.get(got[i]);
            if (next < expected.length && got[i] == expected[next]) {
                seen.add(got[i]);
                next++;
            } else if (seen.contains(got[i])) {
                duplicates++;
            } else if (abortedAt != null) {
                problem = Optional.of("target offset " + targetRead.offsets()[i] + " holds a record of an aborted"
                        + " transaction (source offset " + abortedAt + ")");
                break;
            } else if (next == 0) {
                // Before the copy of the source's oldest record: the source no longer has it.
                older++;
            } else {
                problem = Optional.of("target offset " + targetRead.offsets()[i] + " holds a record that is not the"
                        + " next one of the source (source offset " + sourceRead.offsets()[next] + ")");
                break;
            }
        }
        if (problem.isEmpty() && next == 0 && older > 0) {
            // Nothing of the source was found: the leading records were not older ones after all,
            // unless the source holds nothing the link has committed.
            boolean committedSomething = position.isPresent() && expected.length > 0
                    && sourceRead.offsets()[0] <= position.getAsLong();
            if (committedSomething) {
                problem = Optional.of("target offset " + targetRead.offsets()[0] + " holds a record that is not the"
                        + " next one of the source (source offset " + sourceRead.offsets()[0] + ")");
            }
        }
        long nextOffset = next < expected.length ? sourceRead.offsets()[next] : sourceRead.end();
        Verdict verdict;
        if (problem.isPresent()) {
            verdict = Verdict.MISMATCH;
        } else if (position.isPresent() && nextOffset <= position.getAsLong()) {
            long missing = expected.length - next - countAbove(sourceRead.offsets(), position.getAsLong());
            problem = Optional.of((missing == 1 ? "1 record" : missing + " records") + " up to source offset "
                    + position.getAsLong() + (missing == 1 ? " is" : " are") + " committed as replicated but missing on the target");
            verdict = Verdict.MISMATCH;
        } else if (lostAtSource > 0) {
            problem = Optional.of((lostAtSource == 1 ? "1 record was" : lostAtSource + " records were")
                    + " removed at the source before the link copied them");
            verdict = Verdict.LOST;
        } else if (next < expected.length) {
            verdict = Verdict.LAGGING;
        } else {
            verdict = Verdict.OK;
        }
        return new PartitionCheck(source.topic(), target.topic(), source.partition(), expected.length, got.length,
                next, duplicates, position, older, lostAtSource, verdict, problem);
    }

    private static long countAbove(long[] offsets, long position) {
        long n = 0;
        for (long offset : offsets) {
            if (offset > position) {
                n++;
            }
        }
        return n;
    }
}
