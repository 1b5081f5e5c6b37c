package io.strait.failover;

import io.strait.replication.OffsetMapEntry;
import io.strait.replication.OffsetMapWriter;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offset map end to end without brokers: {@link OffsetMapWriter} sees a simulated copy (offset
 * gaps at the source, offsets skipped at the target, tasks that crash and resume from their last
 * commit), its entries are read back into an {@link OffsetMap}, and every committed offset is
 * translated and checked against the copy itself.
 */
class OffsetMapTest {

    static final TopicPartition TP = new TopicPartition("orders", 0);

    /** One simulated copy: which source offsets hold records, and every (source, target) copy in target order. */
    static final class Copy {
        final boolean[] record;
        final List<long[]> copies = new ArrayList<>();
        final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());

        Copy(boolean[] record) {
            this.record = record;
        }

        OffsetMap map() {
            OffsetMap map = new OffsetMap();
            for (ProducerRecord<byte[], byte[]> sent : producer.history()) {
                map.add(OffsetMapEntry.parse(sent.key(), sent.value()).orElseThrow());
            }
            return map;
        }

        /** Counts on the source, as a read_committed consumer would. */
        OffsetMap.Counter sourceCounter() {
            return new OffsetMap.Counter() {
                @Override
                public long count(TopicPartition partition, long from, long to) {
                    long n = 0;
                    for (long u = Math.max(0, from); u < Math.min(to, record.length); u++) {
                        if (record[(int) u]) {
                            n++;
                        }
                    }
                    return n;
                }

                @Override
                public OptionalLong offsetAfter(TopicPartition partition, long from, long n) {
                    long seen = 0;
                    for (long u = Math.max(0, from); u < record.length; u++) {
                        if (record[(int) u] && seen++ == n) {
                            return OptionalLong.of(u);
                        }
                    }
                    return OptionalLong.empty();
                }
            };
        }

        /** The best safe target position for a group at source offset c: the smallest last copy of any record at or after c. */
        long best(long c) {
            Map<Long, Long> lastCopy = new HashMap<>();
            for (long[] copy : copies) {
                lastCopy.put(copy[0], copy[1]);
            }
            long best = end();
            for (Map.Entry<Long, Long> e : lastCopy.entrySet()) {
                if (e.getKey() >= c) {
                    best = Math.min(best, e.getValue());
                }
            }
            return best;
        }

        long end() {
            return copies.isEmpty() ? 0 : copies.get(copies.size() - 1)[1] + 1;
        }

        /** True when every record at or after c has a copy at or after target offset d. */
        boolean safe(long c, long d) {
            Map<Long, Long> lastCopy = new HashMap<>();
            for (long[] copy : copies) {
                lastCopy.put(copy[0], copy[1]);
            }
            return lastCopy.entrySet().stream().filter(e -> e.getKey() >= c).allMatch(e -> e.getValue() >= d);
        }
    }

    /**
     * Copies the source with tasks that commit now and then and crash now and then: each new task resumes
     * after the last committed position, as MirrorSourceTask does.
     */
    static Copy simulate(long seed, int size, double sourceGaps, double targetGaps, double crashes) {
        Random random = new Random(seed);
        boolean[] record = new boolean[size];
        for (int i = 0; i < size; i++) {
            record[i] = random.nextDouble() >= sourceGaps;
        }
        Copy copy = new Copy(record);
        long nextTarget = 0;
        long committed = -1;
        int u = 0;
        while (u < size) {
            OffsetMapWriter writer = new OffsetMapWriter(copy.producer, "map", "a->b", topic -> "id1");
            long lastCopied = committed;
            boolean crashed = false;
            for (u = (int) committed + 1; u < size; u++) {
                if (!record[u]) {
                    continue;
                }
                if (random.nextDouble() < targetGaps) {
                    nextTarget++;   // a transaction marker on the target
                }
                long d = nextTarget++;
                copy.copies.add(new long[] {u, d});
                writer.copied(TP, u, d);
                lastCopied = u;
                if (random.nextDouble() < 0.02) {
                    committed = lastCopied;
                    writer.commit();
                }
                if (random.nextDouble() < crashes) {
                    crashed = true;
                    break;
                }
            }
            if (!crashed) {
                writer.commit();
                committed = lastCopied;
                break;
            }
            u = (int) committed + 1;
        }
        return copy;
    }

    @ParameterizedTest(name = "seed {0}: source gaps {1}, target gaps {2}, crashes {3}")
    @CsvSource({
        "1, 0.0, 0.0, 0.0",
        "2, 0.0, 0.0, 0.002",
        "3, 0.01, 0.0, 0.0",
        "4, 0.3, 0.0, 0.0",
        "5, 0.3, 0.0, 0.003",
        "6, 0.9, 0.0, 0.001",
        "7, 0.05, 0.0, 0.005",
        "8, 0.5, 0.0, 0.01",
    })
    void withTheSourceToCountOnEveryTranslationIsTheBestSafePosition(long seed, double sourceGaps, double targetGaps,
                                                                     double crashes) {
        Copy copy = simulate(seed, 3000, sourceGaps, targetGaps, crashes);
        OffsetMap map = copy.map();
        for (long c = 0; c <= copy.record.length; c++) {
            OffsetMap.Translation t = map.toTarget(TP, c, Optional.of("id1"), OptionalLong.of(copy.end()),
                    Optional.of(copy.sourceCounter())).orElseThrow();
            assertThat(copy.safe(c, t.offset())).as("safe at %d: %s", c, t).isTrue();
            assertThat(t.offset()).as("best at %d: %s", c, t).isEqualTo(copy.best(c));
            assertThat(t.exact()).isTrue();
        }
    }

    /**
     * A CHANGE entry whose write failed: the run before it then spans a change of delta that no
     * entry records. Every translation stays safe, and one called exact is exact. (Offsets skipped on
     * the target, as transaction markers under exactly-once delivery leave them, are left out: with
     * them, a translation counted on the source alone is called exact while it may re-read up to
     * the markers of its run.)
     */
    @ParameterizedTest(name = "seed {0}: source gaps {1}, target gaps {2}")
    @CsvSource({
        "21, 0.3, 0.0",
        "22, 0.1, 0.0",
        "23, 0.5, 0.0",
    })
    void anEntryThatWasNeverWrittenMakesNoTranslationWrong(long seed, double sourceGaps, double targetGaps) {
        Copy copy = simulate(seed, 3000, sourceGaps, targetGaps, 0);
        List<OffsetMapEntry> entries = new ArrayList<>();
        copy.producer.history().forEach(r -> entries.add(OffsetMapEntry.parse(r.key(), r.value()).orElseThrow()));
        List<OffsetMapEntry> changes = entries.stream().filter(e -> e.kind() == OffsetMapEntry.Kind.CHANGE).toList();
        assertThat(changes).as("the copy changes delta").hasSizeGreaterThan(2);
        OffsetMapEntry lost = changes.get(changes.size() / 2);
        OffsetMap map = new OffsetMap();
        entries.stream().filter(e -> e != lost).forEach(map::add);
        for (long c = 0; c <= copy.record.length; c++) {
            for (Optional<OffsetMap.Counter> counter : List.of(Optional.of(copy.sourceCounter()),
                    Optional.<OffsetMap.Counter>empty())) {
                OffsetMap.Translation t = map.toTarget(TP, c, Optional.of("id1"), OptionalLong.of(copy.end()),
                        counter).orElseThrow();
                assertThat(copy.safe(c, t.offset())).as("safe at %d: %s", c, t).isTrue();
                if (t.exact()) {
                    assertThat(t.offset()).as("exact at %d: %s", c, t).isEqualTo(copy.best(c));
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}: source gaps {1}, target gaps {2}, crashes {3}")
    @CsvSource({
        "11, 0.0, 0.0, 0.0",
        "12, 0.3, 0.0, 0.0",
        "13, 0.3, 0.05, 0.003",
        "14, 0.9, 0.0, 0.0",
        "15, 0.02, 0.02, 0.005",
        "16, 0.5, 0.5, 0.0",
    })
    void withoutTheSourceEveryTranslationIsSafeAndReadsAgainAtMostWhatItSays(long seed, double sourceGaps,
                                                                            double targetGaps, double crashes) {
        Copy copy = simulate(seed, 3000, sourceGaps, targetGaps, crashes);
        OffsetMap map = copy.map();
        long worst = 0;
        for (long c = 0; c <= copy.record.length; c++) {
            OffsetMap.Translation t = map.toTarget(TP, c, Optional.of("id1"), OptionalLong.of(copy.end()),
                    Optional.empty()).orElseThrow();
            long best = copy.best(c);
            assertThat(copy.safe(c, t.offset())).as("safe at %d: %s", c, t).isTrue();
            assertThat(best - t.offset()).as("re-read at %d: %s", c, t).isBetween(0L, t.uncertainty());
            if (t.exact()) {
                assertThat(t.offset()).as("exact at %d: %s", c, t).isEqualTo(best);
            }
            long reread = copy.copies.stream().filter(x -> x[1] >= t.offset() && x[1] < best).count();
            worst = Math.max(worst, reread);
        }
        // A run that is not one-to-one holds at most MIN_RECORDS_BETWEEN records (unless a task crashed in it).
        if (crashes == 0) {
            assertThat(worst).isLessThanOrEqualTo(OffsetMapWriter.MIN_RECORDS_BETWEEN);
        }
    }

    @Test
    void aPartitionCopiedOnceInOrderNeedsOneEntryAndOneTail() {
        Copy copy = simulate(21, 5000, 0, 0, 0);
        // One START; the rest are the TAILs written after each commit (one key per lifetime: compacted to one).
        assertThat(copy.producer.history().stream().map(r -> OffsetMapEntry.parse(r.key(), r.value()).orElseThrow())
                .filter(e -> e.kind() != OffsetMapEntry.Kind.TAIL)).hasSize(1);
        assertThat(copy.producer.history().stream().map(r -> new String(r.key())).distinct()).hasSize(2);
        OffsetMap map = copy.map();
        assertThat(map.toTarget(TP, 1234, Optional.of("id1"), OptionalLong.empty(), Optional.empty()).orElseThrow())
                .isEqualTo(new OffsetMap.Translation(1234, true, 0, 0, "map"));
    }

    @Test
    void entriesOfAnotherTopicOfTheSameNameAreIgnored() {
        Copy copy = simulate(22, 100, 0, 0, 0);
        assertThat(copy.map().toTarget(TP, 50, Optional.of("id2"), OptionalLong.empty(), Optional.empty())).isEmpty();
        assertThat(copy.map().covers(TP, Optional.of("id1"))).isTrue();
    }

    @ParameterizedTest(name = "seed {0}: source gaps {1}, target gaps {2}, crashes {3}")
    @CsvSource({
        "31, 0.0, 0.0, 0.0",
        "32, 0.3, 0.0, 0.003",
        "33, 0.05, 0.1, 0.005",
    })
    void backToTheSourceAGroupReadsExactlyTheRecordsAfterTheLastOneItConsumedOnTheTarget(long seed, double sourceGaps,
                                                                                        double targetGaps, double crashes) {
        Copy copy = simulate(seed, 2000, sourceGaps, targetGaps, crashes);
        OffsetMap map = copy.map();
        TopicPartition target = new TopicPartition("a.orders", 0);
        OffsetMap.Counter targetCounter = new OffsetMap.Counter() {
            @Override
            public long count(TopicPartition partition, long from, long to) {
                return copy.copies.stream().filter(c -> c[1] >= from && c[1] < to).count();
            }

            @Override
            public OptionalLong offsetAfter(TopicPartition partition, long from, long n) {
                return copy.copies.stream().filter(c -> c[1] >= from).skip(n).mapToLong(c -> c[1]).findFirst();
            }
        };
        for (long[] at : copy.copies) {
            // A group on the target whose next record is the copy at target offset at[1] goes on from its source record.
            OffsetMap.Translation t = map.toSource(TP, at[1], Optional.of("id1"), Optional.of(targetCounter),
                    Optional.of(copy.sourceCounter()), target).orElseThrow();
            assertThat(t.offset()).as("at target offset %d: %s", at[1], t).isEqualTo(at[0]);
            OffsetMap.Translation bounded = map.toSource(TP, at[1], Optional.of("id1"), Optional.empty(),
                    Optional.empty(), target).orElseThrow();
            assertThat(bounded.offset()).as("without counting, at target offset %d", at[1]).isLessThanOrEqualTo(at[0]);
        }
    }
}
