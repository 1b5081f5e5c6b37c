package io.strait.replication;

import io.strait.topology.Selection;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The union of a link's selections, configured from connector properties
 * {@code <prefix>.<n>.include} and {@code <prefix>.<n>.exclude} (one regular expression each).
 * A name passes when any selection includes it and does not exclude it; MirrorMaker 2's own
 * default exclusions always apply on top.
 */
abstract class SelectionFilter {

    private final String prefix;
    private final Pattern alwaysExcluded;
    private final List<Pattern[]> selections = new ArrayList<>();

    SelectionFilter(String prefix, String mirrorMakerDefaultExcludes) {
        this.prefix = prefix;
        this.alwaysExcluded = Pattern.compile(union(List.of(mirrorMakerDefaultExcludes.split("\\s*,\\s*"))));
    }

    /** The connector properties that configure a filter with these selections. */
    static Map<String, String> properties(String prefix, List<Selection> selections) {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        for (int i = 0; i < selections.size(); i++) {
            props.put(prefix + "." + i + ".include", union(selections.get(i).include()));
            props.put(prefix + "." + i + ".exclude", union(selections.get(i).exclude()));
        }
        return props;
    }

    /** One regular expression matching what any of the given ones matches; matches nothing when empty. */
    static String union(List<String> patterns) {
        if (patterns.isEmpty()) {
            return "(?!)";
        }
        return patterns.size() == 1 ? patterns.get(0)
                : patterns.stream().map(p -> "(?:" + p + ")").collect(Collectors.joining("|"));
    }

    void configureSelections(Map<String, ?> props) {
        selections.clear();
        for (int i = 0; props.containsKey(prefix + "." + i + ".include"); i++) {
            Object exclude = props.get(prefix + "." + i + ".exclude");
            selections.add(new Pattern[] {
                Pattern.compile(String.valueOf(props.get(prefix + "." + i + ".include"))),
                Pattern.compile(exclude == null ? "(?!)" : String.valueOf(exclude))});
        }
        if (selections.isEmpty()) {
            throw new ConfigException(prefix + ".0.include", null, "Strait's filter needs at least one selection");
        }
    }

    boolean selected(String name) {
        return reasonNotSelected(name).isEmpty();
    }

    /** Why a name is not selected, or empty when it is. */
    Optional<String> reasonNotSelected(String name) {
        if (alwaysExcluded.matcher(name).matches()) {
            return Optional.of("internal (MirrorMaker 2 never replicates it)");
        }
        boolean included = false;
        for (Pattern[] selection : selections) {
            if (selection[0].matcher(name).matches()) {
                included = true;
                if (!selection[1].matcher(name).matches()) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(included ? "excluded (matches an exclude pattern)" : "not included (matches no include pattern)");
    }
}
