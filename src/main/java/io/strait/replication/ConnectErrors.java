package io.strait.replication;

/** One-line reasons from Kafka Connect's errors and traces, for logs and the link's status. */
public final class ConnectErrors {

    private ConnectErrors() {
    }

    /** The first line of a Connect trace, and its root cause (Connect wraps the real error). */
    public static String firstLine(String trace) {
        if (trace == null || trace.isBlank()) {
            return "no reason given";
        }
        String first = trace.lines().findFirst().orElse(trace).trim();
        String root = trace.lines().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b)
                .map(l -> l.substring("Caused by: ".length()).trim()).orElse(null);
        return root == null || first.contains(root) ? first : first + " (caused by " + root + ")";
    }

    /** The innermost cause of an error: {@code SimpleClassName: message}. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
