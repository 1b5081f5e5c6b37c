package io.strait.replication;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SharedProducersTest {

    private Function<Map<String, Object>, Producer<byte[], byte[]>> real;

    @BeforeEach
    void mockProducers() {
        real = SharedProducers.factory;
        SharedProducers.factory = config -> new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void restore() {
        SharedProducers.factory = real;
    }

    @Test
    void tasksWithTheSameSettingsShareOneProducerClosedWithTheLastLease() {
        SharedProducers.Lease first = SharedProducers.lease(Map.of("bootstrap.servers", "b:9092", "linger.ms", "5"));
        SharedProducers.Lease second = SharedProducers.lease(Map.of("linger.ms", "5", "bootstrap.servers", "b:9092"));
        SharedProducers.Lease other = SharedProducers.lease(Map.of("bootstrap.servers", "c:9092", "linger.ms", "5"));
        assertThat(second.producer()).isSameAs(first.producer());
        assertThat(other.producer()).isNotSameAs(first.producer());
        first.close();
        first.close();
        assertThat(((MockProducer<byte[], byte[]>) second.producer()).closed()).isFalse();
        second.close();
        assertThat(((MockProducer<byte[], byte[]>) first.producer()).closed()).isTrue();
        other.close();
        assertThat(SharedProducers.inUse()).isZero();
    }

    @Test
    void aDiscardedProducerServesItsHoldersOnlyAndTheNextLeaseGetsANewOne() {
        Map<String, Object> config = Map.of("bootstrap.servers", "b:9092");
        SharedProducers.Lease failed = SharedProducers.lease(config);
        SharedProducers.Lease sibling = SharedProducers.lease(config);
        failed.discard();
        SharedProducers.Lease restarted = SharedProducers.lease(config);
        assertThat(restarted.producer()).isNotSameAs(failed.producer());
        failed.close();
        assertThat(((MockProducer<byte[], byte[]>) sibling.producer()).closed()).isFalse();
        sibling.close();
        assertThat(((MockProducer<byte[], byte[]>) failed.producer()).closed()).isTrue();
        restarted.close();
        assertThat(SharedProducers.inUse()).isZero();
    }
}
