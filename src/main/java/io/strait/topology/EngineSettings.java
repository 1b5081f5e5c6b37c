package io.strait.topology;

import java.time.Duration;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Settings of the Kafka Connect machinery every link runs on.
 *
 * @param worker      raw Kafka Connect worker settings applied to each link's worker
 * @param stopTimeout how long a link may take to stop before Strait logs it and moves on
 */
public record EngineSettings(SortedMap<String, String> worker, Duration stopTimeout) {

    public EngineSettings {
        worker = new TreeMap<>(worker);
    }
}
