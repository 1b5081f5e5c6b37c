package io.strait.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.util.Optional;

/**
 * One record of a link's offset map: where the copy of one source partition is not one-to-one any
 * more. Strait copies each source partition to the partition with the same number, in order, so
 * for a run of records copied once each {@code downstream = upstream + delta}; the map records
 * {@code (upstream, downstream)} only where {@code delta} changes (a record copied again after a
 * restart, an upstream offset with no record: a transaction marker, a compacted or aborted record;
 * a target topic created again). It is written by the link's source task ({@code StraitSourceTask})
 * when the target acknowledges a record, to {@link FailoverTopics#offsetMap(String)} on the target,
 * and read by {@code offsets}, {@code failover}, {@code failback} and the daemon's group checkpointer.
 *
 * <p>A <em>lifetime</em> is one task's copy of the partition, from its first record (a
 * {@link Kind#START} entry) on; it is named by the downstream offset of that first record.
 *
 * @param kind           what the entry marks
 * @param sourceTopic    the source topic (not the target's name for it)
 * @param partition      partition number, the same on source and target
 * @param topicId        the source topic's ID when the record was copied (base64), if known
 * @param lifetime       downstream offset of the lifetime's first record
 * @param upstream       source offset of the record the entry is about
 * @param downstream     target offset of its copy
 * @param prevUpstream   for {@link Kind#CHANGE}: source offset of the record copied just before, in
 *                       the same lifetime; -1 otherwise
 * @param prevDownstream for {@link Kind#CHANGE}: target offset of that record's copy; -1 otherwise
 * @param drift          how far the runs since the previous START or CHANGE entry of the lifetime
 *                       are from one-to-one: the sum of {@code |delta change|} that the writer did
 *                       not record as entries of their own (it records at most one entry per
 *                       {@code OffsetMapWriter.MIN_RECORDS_BETWEEN} records). 0: the run is exact.
 * @param time           when the entry was written (epoch ms)
 */
public record OffsetMapEntry(Kind kind, String sourceTopic, int partition, Optional<String> topicId, long lifetime,
                             long upstream, long downstream, long prevUpstream, long prevDownstream, long drift,
                             long time) {

    /** What an entry marks. */
    public enum Kind {
        /** The first record copied by a task (after a start, restart or rebalance): a new lifetime. */
        START,
        /** The first record after delta changed (or after a run that was not one-to-one). */
        CHANGE,
        /**
         * The last record copied so far in the lifetime, written after each offset commit of the
         * task; one per lifetime (its key is the lifetime's, so compaction keeps the latest).
         */
        TAIL
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public TopicPartition sourcePartition() {
        return new TopicPartition(sourceTopic, partition);
    }

    /**
     * The record key: {@code ["orders",0,"at",1234]} for START and CHANGE (one key per entry), and
     * {@code ["orders",0,"tail",0]} for TAIL (one key per lifetime).
     */
    public byte[] key() {
        ArrayNode key = JSON.createArrayNode();
        key.add(sourceTopic).add(partition);
        if (kind == Kind.TAIL) {
            key.add("tail").add(lifetime);
        } else {
            key.add("at").add(downstream);
        }
        return key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    public byte[] value() {
        ObjectNode value = JSON.createObjectNode();
        value.put("kind", kind.name());
        topicId.ifPresent(id -> value.put("topicId", id));
        value.put("lifetime", lifetime);
        value.put("upstream", upstream);
        value.put("downstream", downstream);
        if (kind == Kind.CHANGE) {
            value.put("prevUpstream", prevUpstream);
            value.put("prevDownstream", prevDownstream);
        }
        value.put("drift", drift);
        value.put("time", time);
        return value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Reads a record of the map; empty for a tombstone or a record this version does not understand. */
    public static Optional<OffsetMapEntry> parse(byte[] key, byte[] value) {
        if (key == null || value == null) {
            return Optional.empty();
        }
        try {
            JsonNode k = JSON.readTree(key);
            JsonNode v = JSON.readTree(value);
            if (!k.isArray() || k.size() != 4 || !v.isObject()) {
                return Optional.empty();
            }
            Kind kind = Kind.valueOf(v.path("kind").asText());
            JsonNode id = v.get("topicId");
            return Optional.of(new OffsetMapEntry(kind, k.get(0).asText(), k.get(1).asInt(),
                    id == null || id.asText().isEmpty() ? Optional.empty() : Optional.of(id.asText()),
                    v.path("lifetime").asLong(), v.path("upstream").asLong(), v.path("downstream").asLong(),
                    v.path("prevUpstream").asLong(-1), v.path("prevDownstream").asLong(-1), v.path("drift").asLong(),
                    v.path("time").asLong()));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
