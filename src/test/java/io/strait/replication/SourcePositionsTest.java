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
import static org.assertj.core.api.Assertions.entry;

/** The positions read from an answer of Connect's offsets API (KIP-875), as MirrorSourceConnector stores them. */
class SourcePositionsTest {

    @Test
    void eachTopicPartitionWithItsOffsetTopicIdAndLostRecords() {
        Map<TopicPartition, SourceOffset> positions = CommittedSourceOffsets.of(new ConnectorOffsets(List.of(
                new ConnectorOffset(Map.of("cluster", "a", "topic", "orders", "partition", 0),
                        Map.of("offset", 999L, "topicId", "vB1bZ3EhR7qzJ0y0uYb0aQ", "lostRecords", 3L)),
                new ConnectorOffset(Map.of("cluster", "a", "topic", "orders", "partition", 1), Map.of("offset", 41)))));

        assertThat(positions).containsOnly(
                entry(new TopicPartition("orders", 0), new SourceOffset(999, Optional.of("vB1bZ3EhR7qzJ0y0uYb0aQ"), 3)),
                entry(new TopicPartition("orders", 1), new SourceOffset(41, Optional.empty(), 0)));
        assertThat(SourcePositions.offsets(positions)).containsOnly(
                entry(new TopicPartition("orders", 0), 999L), entry(new TopicPartition("orders", 1), 41L));
    }

    @Test
    void partitionsAndOffsetsOfAnotherShapeAreSkipped() {
        Map<String, Object> nullOffset = new HashMap<>();
        nullOffset.put("offset", null);
        Map<TopicPartition, SourceOffset> positions = CommittedSourceOffsets.of(new ConnectorOffsets(List.of(
                new ConnectorOffset(Map.of("topic", "orders"), Map.of("offset", 1L)),
                new ConnectorOffset(Map.of("topic", "orders", "partition", "0"), Map.of("offset", 1L)),
                new ConnectorOffset(Map.of("partition", 0), Map.of("offset", 1L)),
                new ConnectorOffset(Map.of("topic", "orders", "partition", 2), nullOffset),
                new ConnectorOffset(Map.of("topic", "orders", "partition", 3), null))));
        assertThat(positions).isEmpty();
    }
}
