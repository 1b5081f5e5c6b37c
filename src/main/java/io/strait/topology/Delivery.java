package io.strait.topology;

import java.util.Locale;

/** What a link promises about each record. */
public enum Delivery {
    /** Every record arrives; after a crash, some may arrive twice. */
    AT_LEAST_ONCE,
    /**
     * Every record arrives once for a {@code read_committed} consumer of the target: MirrorMaker 2's
     * exactly-once support on Kafka Connect (KIP-618), with transactional writes.
     */
    EXACTLY_ONCE;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
