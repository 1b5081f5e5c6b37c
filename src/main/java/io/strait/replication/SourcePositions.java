package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.Herder;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the source positions a link has committed through Kafka Connect's offsets API (KIP-875,
 * {@link Herder#connectorOffsets}) of its MirrorSourceConnector: for each source topic-partition,
 * the offset of the last record copied, with the topic ID it was taken on and the records counted
 * lost ({@link SourceOffset}).
 */
public final class SourcePositions {

    private SourcePositions() {
    }

    /**
     * Asks the link's herder; completes when it answers, exceptionally with Connect's error.
     * Completes at once with no positions when the link has no herder.
     */
    static CompletableFuture<Map<TopicPartition, SourceOffset>> read(Herder herder, LinkId link) {
        CompletableFuture<Map<TopicPartition, SourceOffset>> result = new CompletableFuture<>();
        if (herder == null) {
            result.complete(Map.of());
            return result;
        }
        herder.connectorOffsets(MirrorSettings.connectorName(link, MirrorSourceConnector.class), (error, offsets) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(CommittedSourceOffsets.of(offsets));
            }
        });
        return result;
    }

    /** The offset of the last record copied, by source partition. */
    public static Map<TopicPartition, Long> offsets(Map<TopicPartition, SourceOffset> positions) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        positions.forEach((tp, offset) -> offsets.put(tp, offset.offset()));
        return offsets;
    }
}
