package io.strait.replication;

import io.strait.replication.SourcePositionTracker.Gap;
import io.strait.replication.SourcePositionTracker.Start;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SourcePositionTrackerTest {

    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition T1 = new TopicPartition("t", 1);

    private static Optional<SourceOffset> stored(long offset, String topicId, long lost) {
        return Optional.of(new SourceOffset(offset, Optional.ofNullable(topicId), lost));
    }

    @Test
    void aPositionOfTheSameTopicResumesAndOneOfAnotherTopicCopiesFromTheStart() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        assertThat(tracker.start(T0, "id-1", stored(999, "id-1", 0))).isEqualTo(Start.RESUME);
        assertThat(tracker.start(T1, "id-2", stored(999, "id-1", 7))).isEqualTo(Start.RECOPY);
        assertThat(tracker.start(new TopicPartition("u", 0), "id-3", Optional.empty())).isEqualTo(Start.FRESH);
        // A position written before Strait stored topic IDs is trusted.
        assertThat(tracker.start(new TopicPartition("v", 0), "id-4", stored(5, null, 0))).isEqualTo(Start.RESUME);
        // The new topic's lost count carries the old one's: the counter never goes back.
        assertThat(tracker.accept(T1, 0).lost()).isEqualTo(7);
        assertThat(tracker.pendingGaps()).isEmpty();
    }

    @Test
    void aPositionThatGoesBackIsToldApartFromOneThatMovesOn() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id-1", stored(499, "id-1", 0));
        assertThat(tracker.wentBack(T0, 500)).isFalse();
        tracker.accept(T0, 500);
        assertThat(tracker.wentBack(T0, 503)).as("a gap is no step back").isFalse();
        assertThat(tracker.wentBack(T0, 0)).as("reset to the earliest offset").isTrue();
        assertThat(tracker.wentBack(T0, 500)).as("the same record again").isTrue();
        tracker.markStale(T0.topic());
        assertThat(tracker.wentBack(T0, 0)).as("already held back").isFalse();
        assertThat(tracker.accept(T0, 0)).isNull();
    }

    @Test
    void aGapIsLostOnlyWhereTheSourceRemovedItsOffsets() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", stored(99, "id", 0));
        tracker.accept(T0, 100);
        tracker.accept(T0, 102);   // a transaction marker at 101
        tracker.accept(T0, 180);   // reset to the log start after offsets 103..179 were removed
        assertThat(tracker.pendingGaps()).containsExactly(new Gap(T0, 101, 102), new Gap(T0, 103, 180));
        assertThat(tracker.resolve(new Gap(T0, 101, 102), 50)).isZero();
        assertThat(tracker.resolve(new Gap(T0, 103, 180), 180)).isEqualTo(77);
        assertThat(tracker.accept(T0, 181).lost()).isEqualTo(77);
        assertThat(tracker.pendingGaps()).isEmpty();
    }

    @Test
    void aPositionBeforeAGapDoesNotCarryItsLossSoARestartFromThereCountsItOnce() {
        // The copy loop commits positions of records acknowledged so far, which may lie before a gap
        // already resolved: such a position carries the loss counted before the gap only.
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", stored(99, "id", 5));
        SourcePositionTracker.Partition p = tracker.accept(T0, 100);
        tracker.accept(T0, 150);
        tracker.resolve(tracker.pendingGaps().get(0), 120);
        tracker.accept(T0, 200);
        tracker.resolve(tracker.pendingGaps().get(0), 190);
        assertThat(p.lostAt(100)).isEqualTo(5);
        assertThat(p.lostAt(149)).isEqualTo(5);
        assertThat(p.lostAt(150)).isEqualTo(5 + 19);        // offsets 101..119 removed before they were copied
        assertThat(p.lostAt(200)).isEqualTo(5 + 19 + 39);   // and 151..189
        p.committing(160);
        assertThat(p.lostAt(160)).isEqualTo(24);
        assertThat(p.lostAt(300)).isEqualTo(63);
    }

    @Test
    void aNewPartitionStartsAtItsLogStartSoOffsetsRemovedBeforeItsFirstRecordAreCounted() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", Optional.empty(), 0);
        tracker.accept(T0, 500);   // the source removed 0..499 before the link read any
        assertThat(tracker.pendingGaps()).containsExactly(new Gap(T0, 0, 500));
        assertThat(tracker.resolve(new Gap(T0, 0, 500), 500)).isEqualTo(500);
        tracker.start(T1, "id", Optional.empty(), -1);   // the source did not answer: no gap can be told
        tracker.accept(T1, 500);
        assertThat(tracker.pendingGaps()).isEmpty();
    }

    @Test
    void aGapWhoseFirstRecordAfterIsGoneByNowCannotBeToldAndIsNotCounted() {
        // The log start passed offset 40 after the task read it: offsets 10..39 may have been markers
        // removed later, or records removed before the reset. Not counted (the task logs it).
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", stored(9, "id", 3));
        tracker.accept(T0, 40);
        assertThat(tracker.resolve(new Gap(T0, 10, 40), 500)).isEqualTo(-1);
        assertThat(tracker.accept(T0, 41).lost()).isEqualTo(3);
    }

    @Test
    void aLossFoundAfterItsRecordsWereHandedOnIsWrittenIntoTheLastOffsetMap() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", stored(9, "id", 0));
        var map = tracker.accept(T0, 40).offsetMap(40);
        assertThat(map).containsEntry(SourceOffset.LOST_RECORDS, 0L);
        assertThat(tracker.resolve(new Gap(T0, 10, 40), 40)).isEqualTo(30);
        assertThat(map).containsEntry(SourceOffset.LOST_RECORDS, 30L);
    }

    @Test
    void aStartWithoutStoredPositionHasNoGapBeforeItsFirstRecord() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", Optional.empty());
        tracker.accept(T0, 1000);
        assertThat(tracker.pendingGaps()).isEmpty();
    }

    @Test
    void aRecopiedTopicCountsWhatItsNewIncarnationLostBeforeItsFirstCopy() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "new", stored(999, "old", 0));
        tracker.accept(T0, 200);
        assertThat(tracker.pendingGaps()).containsExactly(new Gap(T0, 0, 200));
        assertThat(tracker.resolve(new Gap(T0, 0, 200), 200)).isEqualTo(200);
    }

    @Test
    void recordsOfATopicCreatedAgainUnderTheRunningTaskAreNotCopied() {
        SourcePositionTracker tracker = new SourcePositionTracker();
        tracker.start(T0, "id", stored(9, "id", 0));
        tracker.start(new TopicPartition("u", 0), "u", Optional.empty());
        tracker.markStale("t");
        assertThat(tracker.accept(T0, 10)).isNull();
        assertThat(tracker.accept(new TopicPartition("u", 0), 0)).isNotNull();
        assertThat(tracker.topicIds()).containsEntry("t", "id").containsEntry("u", "u");
    }
}
