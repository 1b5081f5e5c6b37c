package io.strait.topology;

import java.util.Locale;

/** How a replicated topic is named on the target. */
public enum Naming {
    /** {@code source.topic}: MirrorMaker 2's DefaultReplicationPolicy. Cycles are detected from the name. */
    PREFIX,
    /** The source name unchanged: MirrorMaker 2's IdentityReplicationPolicy. Only safe without cycles. */
    IDENTITY;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
