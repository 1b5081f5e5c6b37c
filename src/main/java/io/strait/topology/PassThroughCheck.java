package io.strait.topology;

import java.util.List;

/**
 * A check of the raw Kafka settings a topology passes through ({@code kafka-clients},
 * {@code engine.worker}, {@code mirror}) by something that knows Kafka's own definitions of them. The
 * topology package has no Kafka imports, so the loader is given one (the replication package's
 * {@code KafkaSettingsValidator}). A pure function: blocks in, problems out, each at the
 * {@code file:line} of its setting.
 */
@FunctionalInterface
public interface PassThroughCheck {

    /** Checks nothing: for tests of the topology model alone. */
    PassThroughCheck NONE = blocks -> List.of();

    /** Errors and warnings about the given blocks; the same setting inherited by several entries may repeat. */
    List<Problem> check(List<PassThroughBlock> blocks);
}
