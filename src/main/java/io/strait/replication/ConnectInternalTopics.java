package io.strait.replication;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.util.TopicAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A link's three Kafka Connect topics (offsets, status, configs), created together in one request
 * just before its herder starts. Connect's stores create them one after another as the herder starts
 * ({@code KafkaBasedLog#start}, one CreateTopics round trip each); created together, the stores find
 * them and go on at once. The definitions are Connect 4.3.1's own, built from the worker's
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
                TopicAdmin.defineTopic(config.getString(DistributedConfig.OFFSET_STORAGE_TOPIC_CONFIG))
                        .config(config.offsetStorageTopicSettings())
                        .compacted()
                        .partitions(config.getInt(DistributedConfig.OFFSET_STORAGE_PARTITIONS_CONFIG))
                        .replicationFactor(config.getShort(DistributedConfig.OFFSET_STORAGE_REPLICATION_FACTOR_CONFIG))
                        .build(),
                TopicAdmin.defineTopic(config.getString(DistributedConfig.STATUS_STORAGE_TOPIC_CONFIG))
                        .config(config.statusStorageTopicSettings())
                        .compacted()
                        .partitions(config.getInt(DistributedConfig.STATUS_STORAGE_PARTITIONS_CONFIG))
                        .replicationFactor(config.getShort(DistributedConfig.STATUS_STORAGE_REPLICATION_FACTOR_CONFIG))
                        .build(),
                TopicAdmin.defineTopic(config.getString(DistributedConfig.CONFIG_TOPIC_CONFIG))
                        .config(config.configStorageTopicSettings())
                        .compacted()
                        .partitions(1)
                        .replicationFactor(config.getShort(DistributedConfig.CONFIG_STORAGE_REPLICATION_FACTOR_CONFIG))
                        .build());
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
