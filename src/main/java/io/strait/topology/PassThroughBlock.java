package io.strait.topology;

import java.util.List;

/**
 * The raw Kafka settings that one entry of a topology passes through unchanged, as the file writes
 * them: a cluster's {@code kafka-clients}, the {@code engine.worker} block, or a flow's {@code mirror}
 * block. Inherited settings (from {@code cluster-defaults}, {@code flow-defaults} or
 * {@code reference.conf}) are included, each with the block that wrote it.
 *
 * @param kind     which Kafka configuration the settings go to
 * @param owner    the entry they belong to, for messages: {@code cluster east}, {@code flow dr}, {@code engine}
 * @param settings every setting of the entry, in key order
 */
public record PassThroughBlock(Kind kind, String owner, List<Setting> settings) {

    public PassThroughBlock {
        settings = List.copyOf(settings);
    }

    /** Where a block's settings go. */
    public enum Kind {
        /** A cluster's {@code kafka-clients}: every producer, consumer and admin client Strait opens to it. */
        KAFKA_CLIENTS,
        /** {@code engine.worker}: the Kafka Connect worker of every link. */
        ENGINE_WORKER,
        /** A flow's {@code mirror} block: the MirrorMaker 2 connectors of each of its links. */
        MIRROR
    }

    /**
     * One setting.
     *
     * @param key      Kafka's dotted name, as written
     * @param value    the value as Kafka receives it (a list joined with commas)
     * @param where    the block that wrote it, for messages: {@code kafka-clients of cluster east},
     *                 {@code kafka-clients of cluster-defaults}, {@code engine.worker},
     *                 {@code the mirror block of flow dr}, {@code the mirror block of flow-defaults}
     * @param location {@code file:line} of the value
     */
    public record Setting(String key, String value, String where, String location) {
    }
}
