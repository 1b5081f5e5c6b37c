package io.strait.topology;

import java.time.Duration;

/** Whether and how often the daemon checks its topology file for changes. */
public record ReloadSettings(boolean watch, Duration interval) {
}
