package io.strait.daemon;

import org.apache.kafka.common.utils.Time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the daemon's own threads make progress, for {@code /healthy}: a scheduled task calls
 * {@link #tick()} (every second); {@link #alive()} turns false when the last tick is older than
 * the limit (the daemon is wedged). Reads Kafka's {@link Time}, so a test moves the clock by hand.
 */
public final class Liveness {

    private final Time time;
    private final long limitNanos;
    private final AtomicLong lastTick;

    /** Alive from now; wedged once no {@link #tick()} came for longer than {@code limit}. */
    public Liveness(Time time, Duration limit) {
        this.time = time;
        this.limitNanos = limit.toNanos();
        this.lastTick = new AtomicLong(time.nanoseconds());
    }

    /** The daemon made progress now. */
    public void tick() {
        lastTick.set(time.nanoseconds());
    }

    /** True while the last tick is younger than the limit. */
    public boolean alive() {
        return time.nanoseconds() - lastTick.get() < limitNanos;
    }
}
