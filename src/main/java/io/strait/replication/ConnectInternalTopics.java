package io.strait.replication;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.util.TopicAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * A link's three Kafka Connect topics (offsets, status, configs), created together in one request
 * just before its herder starts. Connect's stores create them one after another as the herder starts
 * ({@code KafkaBasedLog#start}); created together, each store still asks for its topic (one
 * CreateTopics round trip that finds it, and for the configs topic a DescribeConfigs of its cleanup
 * policy), but none waits for a topic to be created. The definitions are Connect 4.3.1's own, built from the worker's
 * {@link DistributedConfig} as {@code KafkaOffsetBackingStore#newTopicDescription},
 * {@code KafkaStatusBackingStore#configure} and {@code KafkaConfigBackingStore#createKafkaBasedLog}
 * build them; {@code ConnectInternalTopicsIT} pins that they are equal.
 */
final class ConnectInternalTopics {

    private static final Logger log = LoggerFactory.getLogger(ConnectInternalTopics.class);

    private ConnectInternalTopics() {
    }

    /** The three topics as Connect's stores define them: offsets, status, configs. */
    static List<NewTopic> of(DistributedConfig config) {
        return List.of(
                compacted(config.getString(DistributedConfig.OFFSET_STORAGE_TOPIC_CONFIG), config.offsetStorageTopicSettings(),
                        config.getInt(DistributedConfig.OFFSET_STORAGE_PARTITIONS_CONFIG),
                        config.getShort(DistributedConfig.OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG)),
                compacted(config.getString(DistributedConfig.STATUS_STORAGE_TOPIC_CONFIG), config.statusStorageTopicSettings(),
                        config.getInt(DistributedConfig.STATUS_STORAGE_PARTITIONS_CONFIG),
                        config.getShort(DistributedConfig.STATUS_STORAGE_REPLICATION_FACTOR_CONFIG)),
                compacted(config.getString(DistributedConfig.CONFIG_TOPIC_CONFIG), config.configStorageTopicSettings(), 1,
                        config.getShort(DistributedConfig.CONFIG_STORAGE_REPLICATION_FACTOR_CONFIG)));
    }

    /** As each store builds its topic: the topic settings first, so that compaction and the counts win. */
    private static NewTopic compacted(String topic, Map<String, Object> settings, int partitions, short replicationFactor) {
        return TopicAdmin.defineTopic(topic).config(settings).compacted().partitions(partitions)
                .replicationFactor(replicationFactor).build();
    }

    /**
     * Creates the three topics in one request with {@code admin} (the herder's own), leaving those
     * that exist. A failure is logged at DEBUG and left to Connect's stores, which try again as they
     * always do and report what they cannot create.
     */
    static void createTogether(DistributedConfig config, TopicAdmin admin) {
        long begin = System.nanoTime();
        try {
            TopicAdmin.TopicCreationResponse response = admin.createOrFindTopics(of(config).toArray(new NewTopic[0]));
            log.debug("Connect's topics: created {}, {} found, in {} ms", response.createdTopics(),
                    response.existingTopicsCount(), (System.nanoTime() - begin) / 1_000_000);
        } catch (RuntimeException e) {
            log.debug("Could not create Connect's topics ahead of the herder (its stores will try): {}", e.toString());
        }
    }
}
