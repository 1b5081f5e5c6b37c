package io.strait.replication;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One producer per set of producer settings in the JVM, shared by the copy tasks that lease it:
 * the tasks of a link on one instance write to one target with the same settings, so their records
 * to that target's brokers travel in the same, fuller requests (two tasks with a producer each send
 * about twice as many produce requests, half as full). A producer is closed when its last lease is
 * returned.
 *
 * <p>A task whose send failed {@link Lease#discard discards} the producer: it stays with the
 * tasks that hold it, and the next lease gets a new one. An idempotent producer can be left unable
 * to send by some failures (KIP-360 handles most), and a task restarted onto it would fail again.
 *
 * <p>Thread safety: leases are taken and returned under the class's lock; a producer is thread-safe.
 */
final class SharedProducers {

    private static final Logger log = LoggerFactory.getLogger(SharedProducers.class);
    private static final Map<Map<String, Object>, Shared> PRODUCERS = new HashMap<>();
    static Function<Map<String, Object>, Producer<byte[], byte[]>> factory =
            config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());

    private SharedProducers() {
    }

    private static final class Shared {
        final Map<String, Object> config;
        final Producer<byte[], byte[]> producer;
        int leases;
        boolean discarded;

        Shared(Map<String, Object> config, Producer<byte[], byte[]> producer) {
            this.config = config;
            this.producer = producer;
        }
    }

    /** A task's use of a shared producer; {@link #close} returns it. */
    static final class Lease implements AutoCloseable {
        private final Shared shared;
        private boolean closed;

        private Lease(Shared shared) {
            this.shared = shared;
        }

        Producer<byte[], byte[]> producer() {
            return shared.producer;
        }

        /** No new lease gets this producer any more; it closes when the tasks holding it return it. */
        void discard() {
            synchronized (SharedProducers.class) {
                if (!shared.discarded) {
                    shared.discarded = true;
                    PRODUCERS.remove(shared.config, shared);
                }
            }
        }

        @Override
        public void close() {
            boolean last;
            synchronized (SharedProducers.class) {
                if (closed) {
                    return;
                }
                closed = true;
                last = --shared.leases == 0;
                if (last) {
                    PRODUCERS.remove(shared.config, shared);
                }
            }
            if (last) {
                try {
                    shared.producer.close(Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    log.warn("Closing a copy producer failed", e);
                }
            }
        }
    }

    /** A lease of the producer with exactly these settings, created on first use. */
    static Lease lease(Map<String, Object> config) {
        Map<String, Object> key = new TreeMap<>(config);
        synchronized (SharedProducers.class) {
            Shared shared = PRODUCERS.get(key);
            if (shared == null) {
                shared = new Shared(key, factory.apply(new HashMap<>(key)));
                PRODUCERS.put(key, shared);
            }
            shared.leases++;
            return new Lease(shared);
        }
    }

    /** Producers in use now (for tests). */
    static synchronized int inUse() {
        return PRODUCERS.size();
    }
}
