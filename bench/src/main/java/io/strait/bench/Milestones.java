package io.strait.bench;

import java.nio.file.Files;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a replicator spent its start: the moments its own log marks, in seconds since the JVM
 * was launched ("herder 2.0, leading 4.1, ... s"). The last match of each marker counts, so with
 * several links a marker says when the last link reached it.
 */
final class Milestones {

    private record Marker(String label, Pattern pattern) {
    }

    private static final Pattern STRAIT_TIME = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");
    private static final Pattern KAFKA_TIME = Pattern.compile("^\\[(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3})\\] ");
    private static final DateTimeFormatter STRAIT_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);
    private static final DateTimeFormatter KAFKA_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS", Locale.ROOT);
    private static final Pattern PLUGIN_SCAN = Pattern.compile("Scanning plugins with (\\w+) took (\\d+) ms");
    private static final Pattern RAW_READY = Pattern.compile("ready (\\d+) ms after JVM start");

    private static final List<Marker> STRAIT = List.of(
            new Marker("HTTP up", Pattern.compile("StatusServer: Serving")),
            new Marker("herder started", Pattern.compile("Started Kafka Connect herder of link")),
            new Marker("leading", Pattern.compile("Leading link")),
            new Marker("connectors configured", Pattern.compile("Configured connector [^ ]+ of link")),
            new Marker("tasks running", Pattern.compile("is replicating \\(")));

    private static final List<Marker> MM2 = List.of(
            new Marker("main", Pattern.compile("Kafka MirrorMaker initializing")),
            new Marker("herders starting", Pattern.compile("Kafka MirrorMaker started")),
            new Marker("source task starting", Pattern.compile("Starting task MirrorSourceConnector-0")),
            new Marker("task replicating", Pattern.compile("task-thread-MirrorSourceConnector-\\d+ replicating")));

    private Milestones() {
    }

    /** A short account of the start, for the report's notes; empty if the log says nothing useful. */
    static String of(Variant variant, ChildJvm child) {
        try {
            List<String> lines = Files.readAllLines(child.log);
            return switch (variant) {
                case STRAIT -> marked(lines, STRAIT, STRAIT_TIME, STRAIT_FORMAT, child.launchEpochMillis)
                        + (lines.stream().anyMatch(l -> l.contains("Class-data archive: mapping")) ? "; archive mapped"
                        : lines.stream().anyMatch(l -> l.contains("Class-data archive: none yet")) ? "; no archive yet"
                        : "");
                case MM2 -> {
                    String marks = marked(lines, MM2, KAFKA_TIME, KAFKA_FORMAT, child.launchEpochMillis);
                    long scans = 0;
                    int count = 0;
                    for (String line : lines) {
                        Matcher m = PLUGIN_SCAN.matcher(line);
                        if (m.find()) {
                            scans += Long.parseLong(m.group(2));
                            count++;
                        }
                    }
                    yield marks + (count == 0 ? "" : String.format(Locale.ROOT, "; %d plugin scans took %.1f s", count, scans / 1000.0));
                }
                case RAW -> lines.stream().map(RAW_READY::matcher).filter(Matcher::find).findFirst()
                        .map(m -> String.format(Locale.ROOT, "clients ready %.1f s after JVM start",
                                Long.parseLong(m.group(1)) / 1000.0)).orElse("");
            };
        } catch (Exception e) {
            return "";
        }
    }

    private static String marked(List<String> lines, List<Marker> markers, Pattern time, DateTimeFormatter format,
                                 long launchEpochMillis) {
        List<String> out = new ArrayList<>();
        for (Marker marker : markers) {
            String at = null;
            for (String line : lines) {
                if (marker.pattern().matcher(line).find()) {
                    Matcher t = time.matcher(line);
                    if (t.find()) {
                        at = t.group(1);
                    }
                }
            }
            if (at != null) {
                long epoch = LocalDateTime.parse(at, format).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                out.add(String.format(Locale.ROOT, "%s %.1f", marker.label(), (epoch - launchEpochMillis) / 1000.0));
            }
        }
        return out.isEmpty() ? "" : "s after launch: " + String.join(", ", out);
    }
}
