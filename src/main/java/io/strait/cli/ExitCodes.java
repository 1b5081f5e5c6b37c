package io.strait.cli;

/** Strait's documented exit codes. */
public final class ExitCodes {
    /** Everything went as asked. */
    public static final int OK = 0;
    /** The input (topology file, arguments) is invalid; nothing was started. */
    public static final int INVALID_INPUT = 1;
    /** Something needed could not be reached or started (a cluster, a port). */
    public static final int UNREACHABLE = 2;
    /** Strait failed while running. */
    public static final int FAILURE = 3;
    /**
     * {@code status}: the daemon answered, and at least one of its links does not run: STARTING, FAILING or
     * STOPPED (with {@code --strict}, DEGRADED too). The output says which and why.
     */
    public static final int NOT_RUNNING = 4;

    private ExitCodes() {
    }
}
