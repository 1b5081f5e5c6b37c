package io.strait.replication;

import io.strait.replication.PartitionComparison.Records;
import io.strait.replication.ReplicationPlanner.LinkPlan;
import io.strait.replication.ReplicationPlanner.TopicPlan;
import io.strait.topology.ClusterSettings;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Checks replicated topics against their sources, partition by partition, by reading both. The
 * first arrival of every record on the target must follow the source's order exactly; records
 * that arrive again (at-least-once re-deliveries) are counted as duplicates. A record missing
 * below the position the link has committed (the source offset MirrorMaker 2 records as
 * replicated) is loss: MISMATCH. Records above it are not replicated yet: LAGGING.
 * <p>
 * This class reads: the plan ({@link ReplicationPlanner}), the committed positions
 * ({@link CommittedSourceOffsets}, Connect's offsets API without a running link) and every record of
 * both partitions. The verdict is {@link PartitionComparison}'s, a pure function.
 */
public final class ReplicationVerifier {

    /**
     * From best to worst. LOST: the link counted source records that the source removed before they
     * were copied (retention or deleted records overtook it): the target can never hold them.
     */
    public enum Verdict { OK, LAGGING, LOST, MISMATCH, UNREACHABLE }

    /**
     * One partition compared.
     *
     * @param sourceRecords records on the source partition (end minus start offset)
     * @param targetRecords records on the target partition, duplicates included
     * @param replicated    source records found on the target, in order
     * @param duplicates    target records that repeat one found earlier
     * @param position      source offset of the last record the link has committed as replicated
     * @param olderOnTarget target records before the copy of the source's oldest record: copies of records
     *                      the source no longer holds (aged out by retention, or of a topic since deleted
     *                      and created again), which cannot be compared
     * @param lostAtSource  source records the link counted as removed at the source before it copied them
     *                      ({@link SourceOffset#lostRecords()})
     * @param problem       what does not match, for MISMATCH, or the loss, for LOST
     */
    public record PartitionCheck(String sourceTopic, String targetTopic, int partition, long sourceRecords,
                                 long targetRecords, long replicated, long duplicates, OptionalLong position,
                                 long olderOnTarget, long lostAtSource, Verdict verdict, Optional<String> problem) {
        public long lag() {
            return sourceRecords - replicated;
        }
    }

    /** One link's partitions and its overall verdict. */
    public record LinkReport(LinkId link, Verdict verdict, List<PartitionCheck> partitions, Optional<String> error) {
        public long lag() {
            return partitions.stream().mapToLong(PartitionCheck::lag).sum();
        }

        public long duplicates() {
            return partitions.stream().mapToLong(PartitionCheck::duplicates).sum();
        }

        public long replicated() {
            return partitions.stream().mapToLong(PartitionCheck::replicated).sum();
        }

        /** One line: {@code a->b: OK}, {@code LAGGING 12 records}, {@code MISMATCH ...}. */
        public String verdictLine() {
            return link + ": " + switch (verdict) {
                case OK -> "OK (" + count(partitions.size(), "partition") + ", " + count(replicated(), "record") + ", "
                        + count(duplicates(), "duplicate") + ")";
                case LAGGING -> "LAGGING " + count(lag(), "record") + " (" + replicated() + " replicated, "
                        + count(duplicates(), "duplicate") + ")";
                case LOST -> "LOST " + count(partitions.stream().mapToLong(PartitionCheck::lostAtSource).sum(), "record")
                        + " removed at the source before they were copied (" + replicated() + " replicated, "
                        + lag() + " lagging, " + count(duplicates(), "duplicate") + ")";
                case MISMATCH -> "MISMATCH " + partitions.stream().filter(p -> p.verdict() == Verdict.MISMATCH)
                        .map(p -> p.targetTopic() + "-" + p.partition() + ": " + p.problem().orElse(""))
                        .findFirst().orElse("");
                case UNREACHABLE -> "UNREACHABLE " + error.orElse("");
            };
        }

        private static String count(long n, String noun) {
            return n + " " + noun + (n == 1 ? "" : "s");
        }
    }

    private final MirrorSettings settings;
    private final Duration timeout;

    public ReplicationVerifier(MirrorSettings settings, Duration timeout) {
        this.settings = settings;
        this.timeout = timeout;
    }

    /** Verifies every link (or the given one), every replicated topic (or the given source topic). */
    public List<LinkReport> verify(Optional<LinkId> onlyLink, Optional<String> onlyTopic) {
        List<LinkReport> reports = new ArrayList<>();
        for (LinkPlan plan : new ReplicationPlanner(settings, timeout).plan()) {
            if (onlyLink.isPresent() && !onlyLink.get().equals(plan.link())) {
                continue;
            }
            if (plan.error().isPresent()) {
                reports.add(new LinkReport(plan.link(), Verdict.UNREACHABLE, List.of(), plan.error()));
                continue;
            }
            reports.add(verifyLink(plan, onlyTopic));
        }
        return reports;
    }

    private LinkReport verifyLink(LinkPlan plan, Optional<String> onlyTopic) {
        LinkId link = plan.link();
        Map<TopicPartition, SourceOffset> positions;
        try {
            positions = CommittedSourceOffsets.read(settings, link, timeout);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return new LinkReport(link, Verdict.UNREACHABLE, List.of(), Optional.of("cannot read the positions the link"
                    + " committed on " + link.target() + ": " + root.getClass().getSimpleName() + ": " + root.getMessage()));
        }
        Map<String, String> topicIds = topicIds(settings.topology().cluster(link.source()),
                plan.replicated().stream().map(TopicPlan::sourceTopic).toList());
        List<PartitionCheck> checks = new ArrayList<>();
        for (TopicPlan topic : plan.replicated()) {
            // Heartbeats are MirrorMaker 2's own, written every second: nothing to compare.
            if (topic.heartbeats()) {
                continue;
            }
            if (onlyTopic.isPresent() && !onlyTopic.get().equals(topic.sourceTopic())) {
                continue;
            }
            for (int p = 0; p < topic.partitions(); p++) {
                TopicPartition source = new TopicPartition(topic.sourceTopic(), p);
                SourceOffset stored = positions.get(source);
                // A position taken on a topic since deleted and created again says nothing of this one.
                boolean current = stored != null && !stored.takenOnAnotherTopic(topicIds.get(topic.sourceTopic()));
                // A target topic (or partition) MirrorMaker 2 has not created yet holds nothing: lag, not an error.
                checks.add(compare(link, source, new TopicPartition(topic.targetTopic(), p),
                        p < topic.targetPartitions(), current ? OptionalLong.of(stored.offset()) : OptionalLong.empty(),
                        stored == null ? 0 : stored.lostRecords()));
            }
        }
        Verdict verdict = checks.stream().map(PartitionCheck::verdict)
                .max(Enum::compareTo).orElse(Verdict.OK);
        return new LinkReport(link, verdict, checks, Optional.empty());
    }

    private PartitionCheck compare(LinkId link, TopicPartition source, TopicPartition target, boolean targetExists,
                                   OptionalLong position, long lostAtSource) {
        ClusterSettings sourceCluster = settings.topology().cluster(link.source());
        Records sourceRead = read(sourceCluster, source, IsolationLevel.READ_COMMITTED);
        Records targetRead = targetExists ? read(settings.topology().cluster(link.target()), target,
                IsolationLevel.READ_COMMITTED) : Records.NONE;
        // Records of aborted transactions never existed for the source's consumers; a copy of one on
        // the target is a record invented. Only read when the committed read shows offset gaps.
        Map<Long, Long> aborted = sourceRead.hasGaps() ? PartitionComparison.aborted(sourceRead,
                read(sourceCluster, source, IsolationLevel.READ_UNCOMMITTED)) : Map.of();
        return PartitionComparison.compare(source, target, sourceRead, targetRead, aborted, position, lostAtSource);
    }

    /** Every record of the partition as a fingerprint of key, value, headers and timestamp. */
    private Records read(ClusterSettings cluster, TopicPartition tp, IsolationLevel isolation) {
        Map<String, Object> config = ClientConfigs.reader(cluster, "strait-verify-" + cluster.alias(), timeout, isolation);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = List.of(tp);
            consumer.assign(assigned);
            long start = consumer.beginningOffsets(assigned, timeout).get(tp);
            long end = consumer.endOffsets(assigned, timeout).get(tp);
            consumer.seek(tp, start);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, end - start);
            long[] offsets = new long[capacity];
            long[] fingerprints = new long[capacity];
            int count = 0;
            long deadline = System.nanoTime() + timeout.toNanos() * 6;
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + tp + " on " + cluster.alias() + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < end && count < capacity) {
                        offsets[count] = record.offset();
                        fingerprints[count++] = fingerprint(record);
                    }
                }
            }
            return new Records(Arrays.copyOf(offsets, count), Arrays.copyOf(fingerprints, count), end);
        }
    }

    /** The topics' IDs on the cluster (base64), for those that exist. */
    private Map<String, String> topicIds(ClusterSettings cluster, List<String> topics) {
        Map<String, String> ids = new HashMap<>();
        if (topics.isEmpty()) {
            return ids;
        }
        try (Admin admin = Admin.create(ClientConfigs.admin(cluster, "strait-verify-" + cluster.alias(), timeout))) {
            admin.describeTopics(topics).topicNameValues().forEach((topic, future) -> {
                try {
                    ids.put(topic, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).topicId().toString());
                } catch (Exception e) {
                    // Gone: it has no ID to compare.
                }
            });
        }
        return ids;
    }

    static long fingerprint(ConsumerRecord<byte[], byte[]> record) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, record.key());
            update(digest, record.value());
            for (Header header : record.headers()) {
                update(digest, header.key().getBytes(StandardCharsets.UTF_8));
                update(digest, header.value());
            }
            digest.update(ByteBuffer.allocate(8).putLong(record.timestamp()).array());
            return ByteBuffer.wrap(digest.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, byte[] bytes) {
        if (bytes == null) {
            digest.update(ByteBuffer.allocate(4).putInt(-1).array());
        } else {
            digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            digest.update(bytes);
        }
    }
}
