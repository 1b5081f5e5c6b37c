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

    private ExitCodes() {
    }
}
