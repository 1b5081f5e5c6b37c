package io.strait.topology;

import com.typesafe.config.ConfigOrigin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a topology file (HOCON) with the defaults of {@code reference.conf}, validates it, and
 * expands its flows into links. Every error is collected, each with file and line, before the
 * topology is refused; nothing is started from a topology with errors.
 *
 * <p>The work is done by {@link TopologyText} (bytes, syntax and locations), {@link TopologyReader} with
 * {@link TopologySchema} and {@link SettingReader} (Strait's own keys), {@link FlowReader} and
 * {@link FlowShape} (flows into links) and {@link LinkChecks} (the links together).
 */
public final class TopologyLoader {

    /** Kafka refuses longer topic names. */
    public static final int MAX_TOPIC_NAME_LENGTH = 249;
    /** Larger topology files are refused unread: typesafe-config needs tens of seconds for a few MiB. */
    public static final int MAX_FILE_SIZE = TopologyText.MAX_FILE_SIZE;

    private final Map<String, String> environment;
    private final PassThroughCheck passThroughCheck;

    /**
     * A loader that resolves {@code ${VAR}} from the process environment and checks the raw Kafka
     * settings with the given check (the replication package's {@code KafkaSettingsValidator}).
     */
    public TopologyLoader(PassThroughCheck passThroughCheck) {
        this(System.getenv(), passThroughCheck);
    }

    /** A loader that resolves {@code ${VAR}} from the given environment and checks no raw Kafka setting (tests). */
    public TopologyLoader(Map<String, String> environment) {
        this(environment, PassThroughCheck.NONE);
    }

    /** A loader that resolves {@code ${VAR}} from the given environment and checks raw Kafka settings. */
    public TopologyLoader(Map<String, String> environment, PassThroughCheck passThroughCheck) {
        this.environment = Map.copyOf(environment);
        this.passThroughCheck = Objects.requireNonNull(passThroughCheck, "passThroughCheck");
    }

    /** Loads, validates and expands one topology file. */
    public Topology load(Path file) throws TopologyException {
        return read(TopologyText.parse(file), file.toString());
    }

    /** Loads, validates and expands a topology given as text (for tests and the demo). */
    public Topology parse(String text, String description) throws TopologyException {
        return read(TopologyText.parse(text, description), description);
    }

    private Topology read(TopologyText.Parsed parsed, String description) throws TopologyException {
        try {
            return new TopologyReader(description, environment, passThroughCheck).read(parsed.config());
        } catch (StackOverflowError e) {
            throw new TopologyException(List.of(TopologyText.tooDeep(description, parsed.text())));
        }
    }

    /** {@code file:line} of a value, or the best description there is. */
    public static String location(ConfigOrigin origin, String fallback) {
        return TopologyText.location(origin, fallback);
    }

    /** A close known name, as " (did you mean X?)", or nothing. */
    public static String didYouMean(String given, Set<String> known) {
        return SettingReader.didYouMean(given, known);
    }
}
