package io.strait.topology;

/**
 * Several instances sharing a topology's links: where this instance's internal endpoint for
 * Kafka Connect's forwarded requests listens, and how the others reach it.
 */
public record ScaleOutSettings(boolean enabled, String bind, int port, String advertisedHost) {
}
