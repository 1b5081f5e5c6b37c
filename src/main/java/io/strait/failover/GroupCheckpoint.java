package io.strait.failover;

import io.strait.replication.FailoverTopics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Strait's checkpoint of one consumer group on one source partition: the offset the group had
 * committed on the source, and where that lands on the target, translated through the offset map
 * while the source could still be read (so exactly, where the map needed counting). Written by the
 * daemon ({@link GroupCheckpointer}) to {@link FailoverTopics#checkpoints(String)} on the target, a
 * compacted topic keyed by (group, topic, partition), as MirrorMaker 2 writes its checkpoints. It is
 * what {@code failover} uses when the source is gone.
 *
 * @param group       consumer group
 * @param source      source topic-partition
 * @param upstream    the group's committed offset on the source
 * @param downstream  its translation on the target
 * @param exact       false when the translation is a range (see {@code uncertainty})
 * @param uncertainty how many target offsets past {@code downstream} the exact position may be
 * @param since       when the group was first seen at {@code upstream} on this partition
 * @param at          when this translation was made
 */
public record GroupCheckpoint(String group, TopicPartition source, long upstream, long downstream, boolean exact,
                              long uncertainty, Instant since, Instant at) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The last time the daemon read every selected group of the link on the source ({@code at}),
     * and what the source held then, per partition: its end offset, and the source offset after the
     * last record the map knew copied. Records between the two are the link's lag at that time: at
     * risk when the source is lost.
     */
    public record Round(Instant at, int groups, Map<TopicPartition, long[]> partitions) {
        public long atRisk(TopicPartition source) {
            long[] sample = partitions.get(source);
            return sample == null ? 0 : Math.max(0, sample[0] - sample[1]);
        }
    }

    public byte[] key() {
        return JSON.createArrayNode().add("group").add(group).add(source.topic()).add(source.partition()).toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    public byte[] value() {
        ObjectNode value = JSON.createObjectNode();
        value.put("upstream", upstream);
        value.put("downstream", downstream);
        value.put("exact", exact);
        value.put("uncertainty", uncertainty);
        value.put("since", since.toEpochMilli());
        value.put("at", at.toEpochMilli());
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] roundKey() {
        return "[\"round\"]".getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] roundValue(Round round) {
        ObjectNode value = JSON.createObjectNode();
        value.put("at", round.at().toEpochMilli());
        value.put("groups", round.groups());
        var partitions = value.putArray("partitions");
        round.partitions().forEach((tp, sample) -> partitions.addObject().put("topic", tp.topic())
                .put("partition", tp.partition()).put("sourceEnd", sample[0]).put("copiedTo", sample[1]));
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The link's checkpoints as read from the topic: the latest per key. */
    public static final class Store {
        private final Map<String, Map<TopicPartition, GroupCheckpoint>> byGroup = new HashMap<>();
        private Round round;

        /** Reads one record; tombstones remove, unknown records are skipped. */
        public void add(byte[] key, byte[] value) {
            if (key == null) {
                return;
            }
            try {
                JsonNode k = JSON.readTree(key);
                if (!k.isArray() || k.isEmpty()) {
                    return;
                }
                if ("round".equals(k.get(0).asText())) {
                    if (value != null) {
                        JsonNode v = JSON.readTree(value);
                        Map<TopicPartition, long[]> partitions = new HashMap<>();
                        v.path("partitions").forEach(p -> partitions.put(
                                new TopicPartition(p.path("topic").asText(), p.path("partition").asInt()),
                                new long[] {p.path("sourceEnd").asLong(), p.path("copiedTo").asLong()}));
                        round = new Round(Instant.ofEpochMilli(v.path("at").asLong()), v.path("groups").asInt(),
                                partitions);
                    }
                    return;
                }
                if (!"group".equals(k.get(0).asText()) || k.size() != 4) {
                    return;
                }
                String group = k.get(1).asText();
                TopicPartition tp = new TopicPartition(k.get(2).asText(), k.get(3).asInt());
                if (value == null) {
                    Map<TopicPartition, GroupCheckpoint> of = byGroup.get(group);
                    if (of != null) {
                        of.remove(tp);
                    }
                    return;
                }
                JsonNode v = JSON.readTree(value);
                put(new GroupCheckpoint(group, tp, v.path("upstream").asLong(), v.path("downstream").asLong(),
                        v.path("exact").asBoolean(), v.path("uncertainty").asLong(),
                        Instant.ofEpochMilli(v.path("since").asLong()), Instant.ofEpochMilli(v.path("at").asLong())));
            } catch (IOException e) {
                // Not a record this version reads.
            }
        }

        public void put(GroupCheckpoint checkpoint) {
            byGroup.computeIfAbsent(checkpoint.group(), g -> new HashMap<>()).put(checkpoint.source(), checkpoint);
        }

        public Map<TopicPartition, GroupCheckpoint> of(String group) {
            return byGroup.getOrDefault(group, Map.of());
        }

        public java.util.Set<String> groups() {
            return byGroup.keySet();
        }

        public Optional<Round> round() {
            return Optional.ofNullable(round);
        }

        public void round(Round round) {
            this.round = round;
        }
    }
}
