package io.strait.replication;

/**
 * Names of the topics Strait keeps on a link's target cluster for failover. They are named like
 * MirrorMaker 2's own ({@code mm2-offset-syncs.<source>.internal}): {@code mm2*.internal} is in
 * MirrorMaker 2's default topic exclusions (DefaultTopicFilter, which Strait's selection always
 * keeps), so no link ever replicates them, whatever its selection or separator.
 */
public final class FailoverTopics {

    private FailoverTopics() {
    }

    /** The link's offset map ({@link OffsetMapEntry}), written by its source tasks. */
    public static String offsetMap(String sourceAlias) {
        return "mm2-strait-offset-map." + sourceAlias + ".internal";
    }

    /** Strait's exact checkpoints of the link's consumer groups ({@code io.strait.failover.GroupCheckpoint}). */
    public static String checkpoints(String sourceAlias) {
        return "mm2-strait-checkpoints." + sourceAlias + ".internal";
    }
}
