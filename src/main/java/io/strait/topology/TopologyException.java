package io.strait.topology;

import java.util.List;
import java.util.stream.Collectors;

/** A topology that cannot be used, with every error found (never only the first). */
public class TopologyException extends Exception {

    private final List<Problem> problems;

    public TopologyException(List<Problem> problems) {
        super(problems.stream().filter(Problem::isError).map(Problem::toString)
                .collect(Collectors.joining(System.lineSeparator())));
        this.problems = List.copyOf(problems);
    }

    /** Errors and warnings, in the order they were found. */
    public List<Problem> problems() {
        return problems;
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }
}
