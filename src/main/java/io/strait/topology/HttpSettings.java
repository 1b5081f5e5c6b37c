package io.strait.topology;

/** Where the daemon serves {@code /healthy}, {@code /ready}, {@code /metrics} and {@code /status}. */
public record HttpSettings(String bind, int port) {
}
