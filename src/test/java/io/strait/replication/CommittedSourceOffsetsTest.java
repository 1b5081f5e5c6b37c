package io.strait.replication;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** How the positions in Connect's offsets API read; no broker. */
class CommittedSourceOffsetsTest {

    private static Map<String, Object> partition(String topic, Object number) {
        return Map.of("cluster", "a", "topic", topic, "partition", number);
    }

    @Test
    void straitAndMirrorMakerOffsetsReadAsPositionsByTopicPartition() {
        ConnectorOffsets offsets = new ConnectorOffsets(List.of(
                // As Connect's JSON converter reads them back: numbers are longs.
                new ConnectorOffset(partition("orders", 0L), Map.of("offset", 999L, "topicId", "vB1bZ3EhR7qzJ0y0uYb0aQ",
                        "lostRecords", 3L)),
                // As MirrorMaker 2 writes them, and as a task hands them over: an int partition, no Strait keys.
                new ConnectorOffset(partition("orders", 1), Map.of("offset", 5L))));
        assertThat(CommittedSourceOffsets.of(offsets)).containsOnly(
                Map.entry(new TopicPartition("orders", 0), new SourceOffset(999, Optional.of("vB1bZ3EhR7qzJ0y0uYb0aQ"), 3)),
                Map.entry(new TopicPartition("orders", 1), new SourceOffset(5, Optional.empty(), 0)));
    }

    @Test
    void partitionsWithoutAnOffsetOrOfAnotherShapeHaveNoPosition() {
        Map<Map<String, ?>, Map<String, ?>> offsets = new HashMap<>();
        offsets.put(partition("orders", 0L), null);
        offsets.put(partition("orders", 1L), Map.of("position", 5L));
        offsets.put(Map.of("file", "/tmp/x"), Map.of("offset", 5L));
        offsets.put(partition("orders", "two"), Map.of("offset", 5L));
        assertThat(CommittedSourceOffsets.of(offsets)).isEmpty();
    }
}
