package io.strait.topology;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The shapes a flow can take; each expands into one or more links. */
public enum FlowType {
    LINK, FAN_OUT, FAN_IN, PIPE, BIDIRECTIONAL;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<FlowType> fromConfigName(String name) {
        return Arrays.stream(values()).filter(t -> t.configName().equals(name)).findFirst();
    }

    public static String allConfigNames() {
        return Arrays.stream(values()).map(FlowType::configName).collect(Collectors.joining(", "));
    }
}
