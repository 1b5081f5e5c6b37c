package io.strait.cli;

/** Something the command needs could not be reached or started; exit code 2. */
public class UnreachableException extends RuntimeException {
    public UnreachableException(String message) {
        super(message);
    }

    public UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
