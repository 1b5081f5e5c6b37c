package io.strait.replication;

import org.apache.kafka.connect.mirror.DefaultTopicFilter;
import org.apache.kafka.connect.mirror.TopicFilter;

import java.util.Map;
import java.util.Optional;

/** MirrorMaker 2 topic filter for a link: the union of the topic selections of the flows that make it. */
public class SelectionTopicFilter extends SelectionFilter implements TopicFilter {

    static final String PREFIX = "strait.topics";

    public SelectionTopicFilter() {
        super(PREFIX, DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT);
    }

    @Override
    public void configure(Map<String, ?> props) {
        configureSelections(props);
    }

    @Override
    public boolean shouldReplicateTopic(String topic) {
        return selected(topic);
    }

    /** Why the topic is not replicated, or empty when it is. */
    public Optional<String> reasonSkipped(String topic) {
        return reasonNotSelected(topic);
    }
}
