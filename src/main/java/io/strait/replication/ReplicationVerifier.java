package io.strait.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Checks replicated topics against their sources, partition by partition, by reading both. The
 * first arrival of every record on the target must follow the source's order exactly; records
 * that arrive again (at-least-once re-deliveries) are counted as duplicates. A record missing
 * below the position the link has committed (the source offset MirrorMaker 2 records as
 * replicated) is loss: MISMATCH. Records above it are not replicated yet: LAGGING.
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

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

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
        Map<TopicPartition, SourceOffset> positions = committedPositions(link);
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
        Read sourceRead = read(sourceCluster, source, IsolationLevel.READ_COMMITTED);
        Read targetRead = targetExists ? read(settings.topology().cluster(link.target()), target, IsolationLevel.READ_COMMITTED)
                : new Read(new long[0], new long[0], 0);
        // Records of aborted transactions never existed for the source's consumers; a copy of one on
        // the target is a record invented. Only read when the committed read shows offset gaps.
        Map<Long, Long> aborted = sourceRead.hasGaps()
                ? aborted(sourceRead, read(sourceCluster, source, IsolationLevel.READ_UNCOMMITTED)) : Map.of();
        long[] expected = sourceRead.fingerprints();
        Set<Long> seen = new HashSet<>();
        int next = 0;
        long duplicates = 0;
        long older = 0;
        Optional<String> problem = Optional.empty();
        long[] got = targetRead.fingerprints();
        for (int i = 0; i < got.length; i++) {
            // A committed record first: an aborted one may have had the same content (a transaction
            // retried by its producer).
            Long abortedAt = aborted.get(got[i]);
            if (next < expected.length && got[i] == expected[next]) {
                seen.add(got[i]);
                next++;
            } else if (seen.contains(got[i])) {
                duplicates++;
            } else if (abortedAt != null) {
                problem = Optional.of("target offset " + targetRead.offsets()[i] + " holds a record of an aborted"
                        + " transaction (source offset " + abortedAt + ")");
                break;
            } else if (next == 0) {
                // Before the copy of the source's oldest record: the source no longer has it.
                older++;
            } else {
                problem = Optional.of("target offset " + targetRead.offsets()[i] + " holds a record that is not the"
                        + " next one of the source (source offset " + sourceRead.offsets()[next] + ")");
                break;
            }
        }
        if (problem.isEmpty() && next == 0 && older > 0) {
            // Nothing of the source was found: the leading records were not older ones after all,
            // unless the source holds nothing the link has committed.
            boolean committedSomething = position.isPresent() && expected.length > 0
                    && sourceRead.offsets()[0] <= position.getAsLong();
            if (committedSomething) {
                problem = Optional.of("target offset " + targetRead.offsets()[0] + " holds a record that is not the"
                        + " next one of the source (source offset " + sourceRead.offsets()[0] + ")");
            }
        }
        long nextOffset = next < expected.length ? sourceRead.offsets()[next] : sourceRead.end();
        Verdict verdict;
        if (problem.isPresent()) {
            verdict = Verdict.MISMATCH;
        } else if (position.isPresent() && nextOffset <= position.getAsLong()) {
            long missing = expected.length - next - countAbove(sourceRead.offsets(), position.getAsLong());
            problem = Optional.of((missing == 1 ? "1 record" : missing + " records") + " up to source offset "
                    + position.getAsLong() + (missing == 1 ? " is" : " are") + " committed as replicated but missing on the target");
            verdict = Verdict.MISMATCH;
        } else if (lostAtSource > 0) {
            problem = Optional.of((lostAtSource == 1 ? "1 record was" : lostAtSource + " records were")
                    + " removed at the source before the link copied them");
            verdict = Verdict.LOST;
        } else if (next < expected.length) {
            verdict = Verdict.LAGGING;
        } else {
            verdict = Verdict.OK;
        }
        return new PartitionCheck(source.topic(), target.topic(), source.partition(), expected.length, got.length,
                next, duplicates, position, older, lostAtSource, verdict, problem);
    }

    private static long countAbove(long[] offsets, long position) {
        long n = 0;
        for (long offset : offsets) {
            if (offset > position) {
                n++;
            }
        }
        return n;
    }

    /** Fingerprints of the records the uncommitted read has and the committed one lacks, with their source offsets. */
    private static Map<Long, Long> aborted(Read committed, Read uncommitted) {
        Set<Long> kept = new HashSet<>();
        for (long offset : committed.offsets()) {
            kept.add(offset);
        }
        Map<Long, Long> aborted = new HashMap<>();
        for (int i = 0; i < uncommitted.offsets().length; i++) {
            if (!kept.contains(uncommitted.offsets()[i])) {
                aborted.putIfAbsent(uncommitted.fingerprints()[i], uncommitted.offsets()[i]);
            }
        }
        return aborted;
    }

    /** A partition read whole: each record's offset and fingerprint, and the end offset. */
    private record Read(long[] offsets, long[] fingerprints, long end) {
        /** True when some offset below the end has no record (transaction markers, aborted records, compaction). */
        boolean hasGaps() {
            for (int i = 1; i < offsets.length; i++) {
                if (offsets[i] != offsets[i - 1] + 1) {
                    return true;
                }
            }
            return offsets.length > 0 && offsets[offsets.length - 1] != end - 1;
        }
    }

    /** Every record of the partition as a fingerprint of key, value, headers and timestamp. */
    private Read read(ClusterSettings cluster, TopicPartition tp, IsolationLevel isolation) {
        Map<String, Object> config = ConfigProviders.clientConfig(cluster);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "strait-verify-" + cluster.alias());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
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
            return new Read(Arrays.copyOf(offsets, count), Arrays.copyOf(fingerprints, count), end);
        }
    }

    /** The topics' IDs on the cluster (base64), for those that exist. */
    private Map<String, String> topicIds(ClusterSettings cluster, List<String> topics) {
        Map<String, String> ids = new HashMap<>();
        if (topics.isEmpty()) {
            return ids;
        }
        try (Admin admin = Admin.create(ReplicationPlanner.adminConfig(cluster, timeout))) {
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

    /**
     * The source offsets the link's MirrorSourceConnector has committed, read from its Connect
     * offsets topic on the target cluster (the daemon need not be running).
     */
    Map<TopicPartition, SourceOffset> committedPositions(LinkId link) {
        String topic = settings.workerConfig(link).get(DistributedConfig.OFFSET_STORAGE_TOPIC_CONFIG);
        String connector = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        ClusterSettings target = settings.topology().cluster(link.target());
        Map<String, Object> config = ConfigProviders.clientConfig(target);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "strait-verify-offsets");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<TopicPartition, SourceOffset> positions = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return positions;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos() * 3;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    JsonNode key = json.readTree(record.key());
                    if (!key.isArray() || key.size() != 2 || !connector.equals(key.get(0).asText())) {
                        continue;
                    }
                    JsonNode partition = key.get(1);
                    TopicPartition tp = new TopicPartition(partition.path("topic").asText(),
                            partition.path("partition").asInt());
                    if (record.value() == null) {
                        positions.remove(tp);
                    } else {
                        SourceOffset.from(json.readValue(record.value(), MAP))
                                .ifPresentOrElse(o -> positions.put(tp, o), () -> positions.remove(tp));
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return positions;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable offset in " + topic, e);
        }
        return positions;
    }
}
