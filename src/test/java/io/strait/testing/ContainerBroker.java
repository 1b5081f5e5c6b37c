package io.strait.testing;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka broker in a container (testcontainers-kafka), for machines with a Docker engine. The
 * image is {@code apache/kafka} at the project's Kafka version unless {@code -Dstrait.kafka.image}
 * names another.
 */
final class ContainerBroker implements TestClusters.Broker {

    private final KafkaContainer container;

    private ContainerBroker(KafkaContainer container) {
        this.container = container;
    }

    /** Skips the calling test, with one clear line, where no Docker engine runs. */
    static void requireDocker() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
        }
        Assumptions.assumeTrue(available, "strait.brokers=testcontainers needs a Docker engine and none is"
                + " available on this machine: skipped");
    }

    static ContainerBroker start(String alias) {
        String image = System.getProperty("strait.kafka.image", "apache/kafka:" + System.getProperty(
                "strait.kafka.version", org.apache.kafka.common.utils.AppInfoParser.getVersion()));
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image));
        container.start();
        return new ContainerBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
