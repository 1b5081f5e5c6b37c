package io.strait.topology;

import java.util.List;

/**
 * One include/exclude pair of regular expressions, as written in one flow. A name is selected
 * when it matches any include and no exclude. A link made by several flows selects the union of
 * their selections, so merging never widens or narrows what any one flow asked for.
 */
public record Selection(List<String> include, List<String> exclude) {

    public Selection {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** The same selection with every pattern prefixed by a literal, such as {@code a.} for upstream copies. */
    public Selection withLiteralPrefix(String prefix) {
        String quoted = java.util.regex.Pattern.quote(prefix);
        return new Selection(include.stream().map(p -> quoted + "(?:" + p + ")").toList(),
                exclude.stream().map(p -> quoted + "(?:" + p + ")").toList());
    }
}
