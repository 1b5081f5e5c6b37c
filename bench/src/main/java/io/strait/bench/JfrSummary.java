package io.strait.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a replicator's CPU went, from a {@code --jfr} recording: execution samples by thread
 * (digits folded, so task threads add up), the hottest methods by self time, and the methods
 * most often on the stack (inclusive).
 *
 * <p>{@code java -cp ... io.strait.bench.JfrSummary FILE.jfr [TOP] [THREAD-SUBSTRING]}
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: JfrSummary FILE.jfr [TOP] [THREAD-SUBSTRING]");
            System.exit(1);
        }
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        String threadFilter = args.length > 2 ? args[2] : null;
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
            String group = thread == null ? "?" : thread.replaceAll("\\d+", "N");
            if (threadFilter != null && (thread == null || !thread.contains(threadFilter))) {
                continue;
            }
            total++;
            threads.merge(group, 1, Integer::sum);
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String n = name(frame);
                if (seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
            }
        }
        System.out.printf("%s: %d execution samples%s%n", args[0], total, threadFilter == null ? "" : " on threads containing " + threadFilter);
        print("By thread", threads, total, top);
        print("Self", self, total, top);
        print("Inclusive", inclusive, total, top * 2);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int total, int top) {
        System.out.println();
        System.out.println(title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f %%  %6d  %s%n", 100.0 * e.getValue() / total,
                        e.getValue(), e.getKey()));
    }
}
