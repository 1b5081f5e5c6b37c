package io.strait.topology;

import com.typesafe.config.ConfigOrigin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The problems found in one topology so far, in the order found, each said once. */
final class Findings {

    private final String description;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<Problem> reported = new HashSet<>();

    /** @param description the file (or text) read, for values without a file and line */
    Findings(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /** {@code file:line} of a value, or the file read. */
    String location(ConfigOrigin origin) {
        return TopologyText.location(origin, description);
    }

    /** An error at a value. The same error inherited by several entries (a bad value in a defaults block) is said once. */
    void error(ConfigOrigin origin, String message) {
        addOnce(Problem.error(location(origin), message));
    }

    /** A problem whose message quotes the file (a value, a key), made printable and said once. */
    void addOnce(Problem problem) {
        Problem printable = new Problem(problem.severity(), problem.location(), TopologyText.printable(problem.message()));
        if (reported.add(printable)) {
            problems.add(printable);
        }
    }

    /** A problem about the topology as a whole (links, names), as it is. */
    void add(Problem problem) {
        problems.add(problem);
    }

    boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    List<Problem> all() {
        return problems;
    }

    TopologyException refusal() {
        return new TopologyException(problems);
    }
}
