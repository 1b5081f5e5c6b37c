package io.strait.failover;

import io.strait.failover.FailoverPlanner.Row;
import io.strait.failover.FailoverPlanner.Status;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a partition's status and counts are, given Strait's translation and the group's offset on the
 * target, and what {@code failover --apply} sets for it.
 */
class FailoverPlannerTest {

    static final TopicPartition SOURCE = new TopicPartition("orders", 0);
    static final TopicPartition TARGET = new TopicPartition("a.orders", 0);

    @ParameterizedTest(name = "translation {0}, on target {1}, target log {2}..{3}, active {4}: {5}")
    @CsvSource({
        // translation, on target (-1: none), start, end, active | status, re-read, missed, set (-1: leave)
        "3000, 3000, 0, 6667, false, OK,               0,    0,    -1",
        "3000,    1, 0, 6667, false, STALE,         2999,    0,  3000",
        "3000,   -1, 0, 6667, false, NO-CHECKPOINT,    0, 3667,  3000",
        "3000, 3500, 0, 6667, false, TARGET-AHEAD,     0,  500,    -1",
        "3000, 3000, 0, 6667, true,  ACTIVE-ON-TARGET, 0,    0,    -1",
        "3000,    1, 0, 6667, true,  ACTIVE-ON-TARGET, 2999, 0,    -1",
        "3000, 2000, 4000, 6667, false, BELOW-LOG-START, 0, 1000, 4000",
        "5000,  100, 1000, 6667, false, BELOW-LOG-START, 0, 1667, 5000",
    })
    void statusCountsAndWhatApplySets(long translated, long onTarget, long start, long end, boolean active,
                                      String status, long reread, long missed, long set) {
        Row row = FailoverPlanner.row(SOURCE, TARGET, 3000, Optional.empty(),
                new LinkEnds.Mm2Checkpoint("g", TARGET, 3000, 1, Instant.now()),
                Optional.of(new OffsetMap.Translation(translated, true, 0, 0, "map")),
                onTarget < 0 ? OptionalLong.empty() : OptionalLong.of(onTarget), start, end, 0, active, 0);
        assertThat(row.status().toString()).isEqualTo(status);
        assertThat(row.reread()).isEqualTo(reread);
        assertThat(row.missed()).isEqualTo(missed);
        assertThat(row.planned()).isEqualTo(set < 0 ? OptionalLong.empty() : OptionalLong.of(set));
        assertThat(row.mm2Reread()).hasValue(translated - 1);
    }

    @ParameterizedTest(name = "no translation, on target {0}: {1}")
    @CsvSource({"-1, NO-CHECKPOINT", "42, OK"})
    void withoutATranslationNothingIsCountedOrSet(long onTarget, String status) {
        Row row = FailoverPlanner.row(SOURCE, TARGET, 3000, Optional.empty(), null, Optional.empty(),
                onTarget < 0 ? OptionalLong.empty() : OptionalLong.of(onTarget), 0, 6667, 0, false, 0);
        assertThat(row.status().toString()).isEqualTo(status);
        assertThat(row.planned()).isEmpty();
        assertThat(row.reread() + row.missed()).isZero();
        assertThat(Status.valueOf(status.replace('-', '_')).toString()).isEqualTo(status);
    }
}
