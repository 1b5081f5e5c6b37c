package io.strait.failover;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a group stands when its source is gone, and how a translation is chosen; no broker. */
class GroupPositionsTest {

    static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");

    private static GroupCheckpoint strait(TopicPartition tp, long upstream, long downstream, boolean exact, Instant at) {
        return new GroupCheckpoint("g", tp, upstream, downstream, exact, 0, at, at);
    }

    @Test
    void theNewerOfStraitsAndMirrorMakersCheckpointsIsTheLastRecordedPosition() {
        Map<TopicPartition, GroupCheckpoint> strait = Map.of(
                ORDERS_0, strait(ORDERS_0, 100, 90, true, T0.plusSeconds(10)),
                ORDERS_1, strait(ORDERS_1, 200, 190, true, T0));
        // MirrorMaker 2's checkpoints name target partitions: a.orders comes from orders.
        Map<TopicPartition, LinkEnds.Mm2Checkpoint> mm2 = Map.of(
                new TopicPartition("a.orders", 0), new LinkEnds.Mm2Checkpoint("g", new TopicPartition("a.orders", 0), 80, 70, T0),
                new TopicPartition("a.orders", 1), new LinkEnds.Mm2Checkpoint("g", new TopicPartition("a.orders", 1), 250, 240,
                        T0.plusSeconds(5)),
                new TopicPartition("other", 0), new LinkEnds.Mm2Checkpoint("g", new TopicPartition("other", 0), 1, 1, T0));
        GroupPositions.Recorded recorded = GroupPositions.lastRecorded(strait, mm2,
                target -> target.startsWith("a.") ? Optional.of(target.substring(2)) : Optional.empty());
        assertThat(recorded.offsets()).containsOnly(Map.entry(ORDERS_0, 100L), Map.entry(ORDERS_1, 250L));
        assertThat(recorded.at()).containsOnly(Map.entry(ORDERS_0, T0.plusSeconds(10)), Map.entry(ORDERS_1, T0.plusSeconds(5)));
    }

    @Test
    void aStoredCheckpointOfTheSameOffsetIsUsedWhenTheSourceIsGone() {
        OffsetMap empty = new OffsetMap();
        GroupCheckpoint stored = strait(ORDERS_0, 100, 90, false, T0);
        assertThat(GroupPositions.translate(ORDERS_0, 100, stored, false, true, empty, Optional.empty(), Optional.empty()))
                .hasValueSatisfying(t -> {
                    assertThat(t.offset()).isEqualTo(90);
                    assertThat(t.exact()).isFalse();
                    assertThat(t.basis()).isEqualTo("Strait's checkpoint of " + T0);
                });
        // Of another offset: the map's translation, and an empty map has none.
        assertThat(GroupPositions.translate(ORDERS_0, 101, stored, false, true, empty, Optional.empty(), Optional.empty()))
                .isEmpty();
        // With the source up, only an exact checkpoint is reused, and only by the daemon's rounds.
        GroupCheckpoint exact = strait(ORDERS_0, 100, 90, true, T0);
        assertThat(GroupPositions.translate(ORDERS_0, 100, exact, true, true, empty, Optional.empty(), Optional.empty()))
                .hasValueSatisfying(t -> assertThat(t.offset()).isEqualTo(90));
        assertThat(GroupPositions.translate(ORDERS_0, 100, exact, true, false, empty, Optional.empty(), Optional.empty()))
                .isEmpty();
        assertThat(GroupPositions.translate(ORDERS_0, 100, stored, true, true, empty, Optional.empty(), Optional.empty()))
                .isEmpty();
    }

    @Test
    void aTranslationPastTheTargetsEndMovesToTheEnd() {
        Optional<OffsetMap.Translation> t = Optional.of(new OffsetMap.Translation(120, true, 0, 0, "map"));
        GroupPositions.Clamped clamped = GroupPositions.clampToEnd(t, 100L);
        assertThat(clamped.behind()).isEqualTo(20);
        assertThat(clamped.translation()).hasValueSatisfying(c -> {
            assertThat(c.offset()).isEqualTo(100);
            assertThat(c.basis()).isEqualTo("map, at the target's end");
        });
        assertThat(GroupPositions.clampToEnd(t, 120L)).isEqualTo(new GroupPositions.Clamped(t, 0));
        assertThat(GroupPositions.clampToEnd(t, null)).isEqualTo(new GroupPositions.Clamped(t, 0));
        assertThat(GroupPositions.clampToEnd(Optional.empty(), 100L).behind()).isZero();
    }
}
