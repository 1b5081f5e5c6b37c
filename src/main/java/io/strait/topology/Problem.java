package io.strait.topology;

/**
 * One finding of topology validation: where it is ({@code file:line}, or a description when the
 * value has no file), and a message saying what is wrong, why, and what to write instead.
 */
public record Problem(Severity severity, String location, String message) {

    public enum Severity { ERROR, WARNING }

    public static Problem error(String location, String message) {
        return new Problem(Severity.ERROR, location, message);
    }

    public static Problem warning(String location, String message) {
        return new Problem(Severity.WARNING, location, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        String prefix = severity == Severity.WARNING ? "warning: " : "";
        return location + ": " + prefix + message;
    }
}
