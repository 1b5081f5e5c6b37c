package io.strait.failover;

/**
 * Names of the topics Strait keeps on a link's target cluster for failover. Like MirrorMaker 2's
 * own ({@code mm2-offsets.<source>.internal}), they end in {@code .internal}, so no link ever
 * replicates them.
 */
public final class FailoverTopics {

    private FailoverTopics() {
    }

    /** The link's offset map ({@link OffsetMapEntry}), written by its source tasks. */
    public static String offsetMap(String sourceAlias) {
        return "strait-offset-map." + sourceAlias + ".internal";
    }

    /** Strait's exact checkpoints of the link's consumer groups ({@link GroupCheckpoint}). */
    public static String checkpoints(String sourceAlias) {
        return "strait-checkpoints." + sourceAlias + ".internal";
    }
}
