package io.strait.replication;

import org.apache.kafka.connect.mirror.DefaultGroupFilter;
import org.apache.kafka.connect.mirror.GroupFilter;

import java.util.Map;

/** MirrorMaker 2 group filter for a link: the union of the group selections of the flows that make it. */
public class SelectionGroupFilter extends SelectionFilter implements GroupFilter {

    static final String PREFIX = "strait.groups";

    public SelectionGroupFilter() {
        super(PREFIX, DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT);
    }

    @Override
    public void configure(Map<String, ?> props) {
        configureSelections(props);
    }

    @Override
    public boolean shouldReplicateGroup(String group) {
        return selected(group);
    }
}
