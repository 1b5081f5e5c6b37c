package io.strait.replication;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The source offset a link commits for one source partition, in Kafka Connect's offsets topic
 * (KIP-875's offsets API shows it too). MirrorMaker 2 stores only {@code {"offset": N}}, the
 * offset of the last record copied. Strait's source task adds two keys, so that the position
 * means something only for the topic it was taken on, and a loss it could not prevent is kept
 * with the position:
 * <pre>{"offset": 999, "topicId": "vB1bZ3EhR7qzJ0y0uYb0aQ", "lostRecords": 0}</pre>
 *
 * @param offset      source offset of the last record copied (MirrorMaker 2's {@code offset})
 * @param topicId     the source topic's ID (Kafka's {@code Uuid} in base64) when the position was
 *                    taken; empty for positions written by stock MirrorMaker 2 or an older Strait
 * @param lostRecords source offsets the link never copied because the source had removed them
 *                    (retention, {@code deleteRecords}, or a topic deleted before its records were
 *                    copied), counted since the partition was first copied; a Strait count, 0 when absent
 */
public record SourceOffset(long offset, Optional<String> topicId, long lostRecords) {

    /** MirrorMaker 2's key ({@code MirrorUtils.OFFSET_KEY}). */
    public static final String OFFSET = "offset";
    public static final String TOPIC_ID = "topicId";
    public static final String LOST_RECORDS = "lostRecords";

    /** Reads a stored offset map; empty when it is null or has no {@code offset}. */
    public static Optional<SourceOffset> from(Map<String, ?> stored) {
        if (stored == null || !(stored.get(OFFSET) instanceof Number offset)) {
            return Optional.empty();
        }
        Object id = stored.get(TOPIC_ID);
        Object lost = stored.get(LOST_RECORDS);
        return Optional.of(new SourceOffset(offset.longValue(),
                id instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty(),
                lost instanceof Number n ? n.longValue() : 0));
    }

    /** The map stored for a record at {@code offset}. */
    public static Map<String, Object> toMap(long offset, String topicId, long lostRecords) {
        Map<String, Object> map = new HashMap<>(4);
        map.put(OFFSET, offset);
        if (topicId != null) {
            map.put(TOPIC_ID, topicId);
        }
        map.put(LOST_RECORDS, lostRecords);
        return map;
    }

    /** True when the position was taken on a topic other than the one with {@code currentTopicId}. */
    public boolean takenOnAnotherTopic(String currentTopicId) {
        return topicId.isPresent() && currentTopicId != null && !topicId.get().equals(currentTopicId);
    }
}
