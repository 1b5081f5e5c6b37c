package io.strait.replication;

import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.StraitCheckpointTask;

/**
 * MirrorMaker 2's checkpoint connector, unchanged, whose tasks are {@link StraitCheckpointTask}s:
 * its automatic group offset sync never moves a group back on the target (KAFKA-19794). Listed
 * in {@code META-INF/services} for Connect's {@code plugin.discovery=service_load}.
 */
public class StraitCheckpointConnector extends MirrorCheckpointConnector {

    @Override
    public Class<? extends Task> taskClass() {
        return StraitCheckpointTask.class;
    }
}
