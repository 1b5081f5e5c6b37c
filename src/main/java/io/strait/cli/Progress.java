package io.strait.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What a long {@code plan} or {@code verify} is doing, on stderr, while stderr is a terminal: one
 * line, redrawn every second with the step and the seconds it has taken, erased when done. Never
 * on stdout, so {@code -o json} and pipes see only the result.
 *
 * <p>On when the system property {@value #PROPERTY} is {@code true}; {@code bin/strait} sets it when
 * stderr is a terminal ({@code [ -t 2 ]}: Java cannot tell for stderr alone). Set it yourself with
 * {@code STRAIT_OPTS=-Dstrait.progress=false}.
 */
final class Progress implements AutoCloseable {

    static final String PROPERTY = "strait.progress";
    private static final Duration REDRAW = Duration.ofSeconds(1);

    private final PrintWriter err;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private final Thread ticker;
    private volatile String step = "";
    private boolean closed;

    private Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
        if (enabled) {
            ticker = new Thread(this::tick, "strait-progress");
            ticker.setDaemon(true);
            ticker.start();
        } else {
            ticker = null;
        }
    }

    /** Progress on {@code err} if the {@value #PROPERTY} property says stderr is a terminal; otherwise silent. */
    static Progress onTerminal(PrintWriter err) {
        return new Progress(err, Boolean.getBoolean(PROPERTY));
    }

    /** The step now under way, e.g. {@code verifying 3 links: reading every record}. */
    void step(String text) {
        step = text;
        draw();
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                TimeUnit.NANOSECONDS.sleep(REDRAW.toNanos());
                draw();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void draw() {
        if (!enabled || closed || step.isEmpty()) {
            return;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // \r back to the start of the line, ESC[K erases what a longer step left.
        err.print("\rstrait: " + step + " (" + seconds + " s)\033[K");
        err.flush();
    }

    /** Stops redrawing and erases the line. */
    @Override
    public synchronized void close() {
        if (!enabled || closed) {
            return;
        }
        closed = true;
        ticker.interrupt();
        err.print("\r\033[K");
        err.flush();
    }
}
