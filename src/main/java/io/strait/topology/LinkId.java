package io.strait.topology;

import java.util.Objects;

/**
 * A directed replication link between two cluster aliases. Prints as {@code source->target}
 * everywhere: logs, thread names, client ids, metric labels.
 */
public record LinkId(String source, String target) implements Comparable<LinkId> {

    public static final String ARROW = "->";

    public LinkId {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    /** Parses {@code a->b}. */
    public static LinkId parse(String text) {
        int arrow = text.indexOf(ARROW);
        if (arrow <= 0 || arrow + ARROW.length() >= text.length()) {
            throw new IllegalArgumentException("Invalid link " + text + ": expected SOURCE->TARGET, for example east->west");
        }
        return new LinkId(text.substring(0, arrow).trim(), text.substring(arrow + ARROW.length()).trim());
    }

    @Override
    public int compareTo(LinkId other) {
        int bySource = source.compareTo(other.source);
        return bySource != 0 ? bySource : target.compareTo(other.target);
    }

    @Override
    public String toString() {
        return source + ARROW + target;
    }
}
