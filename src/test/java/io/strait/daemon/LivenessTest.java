package io.strait.daemon;

import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Wedge detection behind {@code /healthy}, on a clock moved by hand. */
class LivenessTest {

    /** Kafka's {@link Time}, moved only by {@link #advance(Duration)}. */
    private static final class HandClock implements Time {
        private long nanos = 1_000_000_000_000L;

        void advance(Duration by) {
            nanos += by.toNanos();
        }

        @Override
        public long milliseconds() {
            return nanos / 1_000_000;
        }

        @Override
        public long nanoseconds() {
            return nanos;
        }

        @Override
        public void sleep(long ms) {
            advance(Duration.ofMillis(ms));
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }

    private final HandClock clock = new HandClock();
    private final Liveness liveness = new Liveness(clock, Duration.ofSeconds(30));

    @Test
    void aliveFromTheStartUntilTheLimitPassesWithoutATick() {
        assertThat(liveness.alive()).isTrue();
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertThat(liveness.alive()).isTrue();
        clock.advance(Duration.ofNanos(1));
        assertThat(liveness.alive()).as("30 s without a tick: wedged").isFalse();
    }

    @Test
    void eachTickKeepsItAliveForAnotherLimit() {
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofSeconds(1));
            liveness.tick();
        }
        assertThat(liveness.alive()).isTrue();
        clock.advance(Duration.ofSeconds(29));
        assertThat(liveness.alive()).isTrue();
        clock.advance(Duration.ofSeconds(2));
        assertThat(liveness.alive()).isFalse();
    }

    @Test
    void aTickAfterAWedgeMakesItAliveAgain() {
        clock.advance(Duration.ofMinutes(5));
        assertThat(liveness.alive()).isFalse();
        liveness.tick();
        assertThat(liveness.alive()).isTrue();
    }
}
