package io.strait.replication;

import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;

/**
 * MirrorMaker 2's source connector, unchanged (topic selection, naming, cycle checks, topic
 * creation, config and ACL sync, task assignment, offset syncs), whose tasks are
 * {@link StraitSourceTask}s. Listed in {@code META-INF/services} for Connect's
 * {@code plugin.discovery=service_load}.
 */
public class StraitSourceConnector extends MirrorSourceConnector {

    @Override
    public Class<? extends Task> taskClass() {
        return StraitSourceTask.class;
    }
}
