package io.strait.replication;

import io.strait.replication.PartitionComparison.Records;
import io.strait.replication.ReplicationVerifier.PartitionCheck;
import io.strait.replication.ReplicationVerifier.Verdict;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Each verdict of {@code verify} on one partition, from records given as fingerprints; no broker. */
class PartitionComparisonTest {

    static final TopicPartition SOURCE = new TopicPartition("orders", 0);
    static final TopicPartition TARGET = new TopicPartition("a.orders", 0);

    /** Records at consecutive offsets from {@code first}, ending right after the last. */
    private static Records from(long first, long... fingerprints) {
        long[] offsets = new long[fingerprints.length];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = first + i;
        }
        return new Records(offsets, fingerprints, first + fingerprints.length);
    }

    private static PartitionCheck compare(Records source, Records target, OptionalLong position, long lost) {
        return PartitionComparison.compare(SOURCE, TARGET, source, target, Map.of(), position, lost);
    }

    @Test
    void everyRecordInOrderIsOk() {
        PartitionCheck check = compare(from(0, 11, 12, 13), from(0, 11, 12, 13), OptionalLong.of(2), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.OK);
        assertThat(check.replicated()).isEqualTo(3);
        assertThat(check.lag()).isZero();
        assertThat(check.duplicates()).isZero();
        assertThat(check.problem()).isEmpty();
        assertThat(check.sourceTopic()).isEqualTo("orders");
        assertThat(check.targetTopic()).isEqualTo("a.orders");
    }

    @Test
    void recordsThatArriveAgainAreCountedAsDuplicates() {
        PartitionCheck check = compare(from(0, 11, 12, 13), from(0, 11, 12, 12, 13, 11), OptionalLong.of(2), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.OK);
        assertThat(check.duplicates()).isEqualTo(2);
        assertThat(check.targetRecords()).isEqualTo(5);
        assertThat(check.replicated()).isEqualTo(3);
    }

    @Test
    void recordsAboveTheCommittedPositionAreLagging() {
        PartitionCheck check = compare(from(0, 11, 12, 13), from(0, 11), OptionalLong.of(0), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.LAGGING);
        assertThat(check.lag()).isEqualTo(2);
        // Nothing committed yet, and a target topic MirrorMaker 2 has not created yet: lag too.
        assertThat(compare(from(0, 11, 12), Records.NONE, OptionalLong.empty(), 0).verdict()).isEqualTo(Verdict.LAGGING);
    }

    @Test
    void recordsCommittedAsReplicatedButMissingAreAMismatch() {
        PartitionCheck check = compare(from(0, 11, 12, 13, 14), from(0, 11), OptionalLong.of(2), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.MISMATCH);
        // Offsets 1 and 2 are committed and missing; 3 and 4 are above the position.
        assertThat(check.problem()).hasValue("2 records up to source offset 2 are committed as replicated but missing on the target");
        assertThat(compare(from(0, 11, 12, 13), from(0, 11), OptionalLong.of(1), 0).problem())
                .hasValue("1 record up to source offset 1 is committed as replicated but missing on the target");
    }

    @Test
    void aRecordThatIsNotTheNextOneOfTheSourceIsAMismatch() {
        PartitionCheck check = compare(from(0, 11, 12, 13), from(0, 11, 13), OptionalLong.empty(), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(check.problem()).hasValue("target offset 1 holds a record that is not the next one of the source"
                + " (source offset 1)");
    }

    @Test
    void copiesOfRecordsTheSourceNoLongerHoldsAreOlder() {
        // The source's retention removed offsets 0 and 1 after they were copied.
        PartitionCheck check = compare(from(2, 13, 14), from(0, 11, 12, 13, 14), OptionalLong.of(3), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.OK);
        assertThat(check.olderOnTarget()).isEqualTo(2);
        assertThat(check.replicated()).isEqualTo(2);
        // None of the source's records found: older ones, as long as the link has committed none of the source's.
        PartitionCheck notYet = compare(from(2, 13, 14), from(0, 11, 12), OptionalLong.empty(), 0);
        assertThat(notYet.verdict()).isEqualTo(Verdict.LAGGING);
        assertThat(notYet.olderOnTarget()).isEqualTo(2);
        PartitionCheck committed = compare(from(2, 13, 14), from(0, 91, 92), OptionalLong.of(3), 0);
        assertThat(committed.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(committed.problem()).hasValue("target offset 0 holds a record that is not the next one of the source"
                + " (source offset 2)");
    }

    @Test
    void recordsRemovedAtTheSourceBeforeTheyWereCopiedAreLost() {
        PartitionCheck check = compare(from(5, 16, 17), from(0, 16, 17), OptionalLong.of(6), 5);
        assertThat(check.verdict()).isEqualTo(Verdict.LOST);
        assertThat(check.lostAtSource()).isEqualTo(5);
        assertThat(check.problem()).hasValue("5 records were removed at the source before the link copied them");
        assertThat(compare(from(1, 16, 17), from(0, 16, 17), OptionalLong.of(2), 1).problem())
                .hasValue("1 record was removed at the source before the link copied them");
        // Loss the target shows outranks the count: MISMATCH.
        assertThat(compare(from(5, 16, 17), from(0, 16), OptionalLong.of(6), 5).verdict()).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void aCopyOfARecordOfAnAbortedTransactionIsAMismatch() {
        // Source: 11 committed at 0, 77 aborted at 1, 13 committed at 2, a commit marker at 3.
        Records committed = new Records(new long[] {0, 2}, new long[] {11, 13}, 4);
        Records uncommitted = new Records(new long[] {0, 1, 2}, new long[] {11, 77, 13}, 4);
        assertThat(committed.hasGaps()).isTrue();
        Map<Long, Long> aborted = PartitionComparison.aborted(committed, uncommitted);
        assertThat(aborted).containsExactly(Map.entry(77L, 1L));
        PartitionCheck check = PartitionComparison.compare(SOURCE, TARGET, committed, from(0, 11, 77, 13), aborted,
                OptionalLong.of(2), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(check.problem()).hasValue("target offset 1 holds a record of an aborted transaction (source offset 1)");
    }

    @Test
    void aCommittedRecordLikeAnAbortedOneIsMatchedFirst() {
        // A producer retried its aborted transaction: the same record, aborted at 0 and committed at 2.
        Records committed = new Records(new long[] {2}, new long[] {55}, 4);
        Records uncommitted = new Records(new long[] {0, 2}, new long[] {55, 55}, 4);
        PartitionCheck check = PartitionComparison.compare(SOURCE, TARGET, committed, from(0, 55),
                PartitionComparison.aborted(committed, uncommitted), OptionalLong.of(2), 0);
        assertThat(check.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void gapsAreOffsetsWithoutARecordBelowTheEnd() {
        assertThat(from(0, 1, 2, 3).hasGaps()).isFalse();
        assertThat(Records.NONE.hasGaps()).isFalse();
        assertThat(new Records(new long[] {0, 1}, new long[] {1, 2}, 3).hasGaps()).isTrue();
        assertThat(new Records(new long[] {0, 2}, new long[] {1, 2}, 3).hasGaps()).isTrue();
    }
}
