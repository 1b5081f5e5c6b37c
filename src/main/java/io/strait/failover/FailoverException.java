package io.strait.failover;

/** Failover could not do what was asked: a cluster call failed, or the state forbids it. One sentence for people. */
public class FailoverException extends RuntimeException {
    public FailoverException(String message) {
        super(message);
    }

    public FailoverException(String message, Throwable cause) {
        super(message, cause);
    }
}
