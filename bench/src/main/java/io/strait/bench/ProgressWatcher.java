package io.strait.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches target topics fill up by reading their end offsets every poll interval, counting time
 * from the replicator's launch: when each topic got its first record and when it held as many
 * records as its source.
 */
final class ProgressWatcher {

    /** One topic's progress; times in seconds since launch, negative while not reached. */
    static final class Progress {
        final String topic;
        final long expected;
        double first = -1;
        long recordsAtFirst;
        double last = -1;
        long records;
        List<TopicPartition> partitions;

        Progress(String topic, long expected) {
            this.topic = topic;
            this.expected = expected;
        }

        boolean done() {
            return last >= 0;
        }
    }

    /** What happened: every topic complete, or why not. */
    record Outcome(Map<String, Progress> topics, String failure) {
        boolean complete() {
            return failure == null;
        }

        /** The first record of the slowest topic, and the last record of the slowest one. */
        double first() {
            return topics.values().stream().mapToDouble(p -> p.first).max().orElse(-1);
        }

        double last() {
            return topics.values().stream().mapToDouble(p -> p.last).max().orElse(-1);
        }
    }

    private ProgressWatcher() {
    }

    /**
     * Polls until every topic holds {@code expected} records (its source's count), the replicator
     * exits, or the timeout passes. {@code atFirstRecord} runs once, right after the poll that saw
     * the first record of any topic (to note the CPU and request counters where the copy phase starts).
     */
    static Outcome watch(Admin target, Map<String, Long> expected, ChildJvm replicator, Duration poll,
                         Duration timeout, Runnable atFirstRecord) throws InterruptedException {
        Map<String, Progress> topics = new LinkedHashMap<>();
        expected.forEach((t, n) -> topics.put(t, new Progress(t, n)));
        long deadline = replicator.launchNanos + timeout.toNanos();
        long next = System.nanoTime();
        ListOffsetsOptions options = new ListOffsetsOptions().timeoutMs((int) Math.max(1000, poll.toMillis() * 10));
        boolean firstSeen = false;
        while (true) {
            try {
                poll(target, topics, options, replicator);
            } catch (Exception e) {
                // a topic being created, a leader being elected: try again at the next poll
            }
            if (!firstSeen && topics.values().stream().anyMatch(p -> p.first >= 0)) {
                firstSeen = true;
                atFirstRecord.run();
            }
            if (topics.values().stream().allMatch(Progress::done)) {
                return new Outcome(topics, null);
            }
            if (!replicator.alive()) {
                return new Outcome(topics, replicator.name + " exited with " + replicator.process.exitValue()
                        + " before copying everything; its log ends:\n" + replicator.tail(30));
            }
            if (System.nanoTime() > deadline) {
                StringBuilder where = new StringBuilder();
                topics.values().forEach(p -> where.append(String.format(" %s %,d of %,d;", p.topic, p.records, p.expected)));
                return new Outcome(topics, "not complete " + timeout.toSeconds() + " s after launch:" + where);
            }
            next += poll.toNanos();
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            } else {
                next = System.nanoTime();
            }
        }
    }

    /** The topic's record count now: the sum of its partitions' end offsets. */
    static long records(Admin admin, String topic) throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private static void poll(Admin admin, Map<String, Progress> topics, ListOffsetsOptions options, ChildJvm replicator)
            throws Exception {
        List<String> unknown = topics.values().stream().filter(p -> p.partitions == null).map(p -> p.topic).toList();
        if (!unknown.isEmpty()) {
            Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<String> found = unknown.stream().filter(existing::contains).toList();
            if (!found.isEmpty()) {
                Map<String, TopicDescription> described = admin.describeTopics(found).allTopicNames().get(5, TimeUnit.SECONDS);
                described.forEach((name, d) -> topics.get(name).partitions = d.partitions().stream()
                        .map(p -> new TopicPartition(name, p.partition())).toList());
            }
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        topics.values().stream().filter(p -> p.partitions != null && !p.done())
                .forEach(p -> p.partitions.forEach(tp -> request.put(tp, OffsetSpec.latest())));
        if (request.isEmpty()) {
            return;
        }
        var offsets = admin.listOffsets(request, options).all().get(options.timeoutMs(), TimeUnit.MILLISECONDS);
        // The time of the answer: a record is never counted as arrived before it was.
        double now = replicator.secondsSinceLaunch();
        for (Progress p : topics.values()) {
            if (p.partitions == null || p.done()) {
                continue;
            }
            long records = p.partitions.stream().mapToLong(tp -> offsets.get(tp).offset()).sum();
            p.records = records;
            if (records > 0 && p.first < 0) {
                p.first = now;
                p.recordsAtFirst = records;
            }
            if (records >= p.expected) {
                p.last = now;
            }
        }
    }
}
