package io.strait.bench;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.util.Optional;

/**
 * A child broker's request counters, read over JMX: the benchmark attaches to the broker's JVM
 * (the Attach API, as {@code jconsole PID} does) and has it start its local management agent, so
 * the broker needs no JMX port. Every read is best-effort: a failure gives an empty result (the
 * report then says n/a) and never stops a run.
 *
 * <p>The counters are Kafka's Yammer meters, cumulative since the broker started ({@code Count}):
 * <ul>
 *   <li>{@code kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce|Fetch,version=*}:
 *       requests handled, summed over the request versions;</li>
 *   <li>{@code kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec|BytesOutPerSec|MessagesInPerSec}
 *       (all topics): bytes of record batches appended (as sent, with their batch overhead), bytes
 *       of record batches sent to fetchers, and records appended.</li>
 * </ul>
 */
final class BrokerMetrics implements AutoCloseable {

    /** Cumulative counts of one broker at one moment. */
    record Counts(long produceRequests, long fetchRequests, long bytesIn, long bytesOut, long messagesIn) {
        Counts minus(Counts earlier) {
            return new Counts(produceRequests - earlier.produceRequests, fetchRequests - earlier.fetchRequests,
                    bytesIn - earlier.bytesIn, bytesOut - earlier.bytesOut, messagesIn - earlier.messagesIn);
        }
    }

    private static final ObjectName PRODUCE = name("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*");
    private static final ObjectName FETCH = name("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Fetch,*");
    private static final ObjectName BYTES_IN = name("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec");
    private static final ObjectName BYTES_OUT = name("kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec");
    private static final ObjectName MESSAGES_IN = name("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec");

    static {
        // A broker that stops answering must not hold the benchmark: RMI calls time out after 10 s.
        if (System.getProperty("sun.rmi.transport.tcp.responseTimeout") == null) {
            System.setProperty("sun.rmi.transport.tcp.responseTimeout", "10000");
        }
    }

    private final String broker;
    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private boolean warned;

    private BrokerMetrics(String broker, JMXConnector connector) throws java.io.IOException {
        this.broker = broker;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Attaches to the JVM {@code pid}; empty (with a log line) if that fails. */
    static Optional<BrokerMetrics> attach(String broker, long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            return Optional.of(new BrokerMetrics(broker, JMXConnectorFactory.connect(new JMXServiceURL(address))));
        } catch (Exception | LinkageError e) {
            Bench.log("No request metrics for broker %s (JMX attach failed: %s); its columns say n/a", broker, e);
            return Optional.empty();
        }
    }

    /** The counts now; empty if the broker did not answer. */
    Optional<Counts> read() {
        try {
            return Optional.of(new Counts(sum(PRODUCE), sum(FETCH), sum(BYTES_IN), sum(BYTES_OUT), sum(MESSAGES_IN)));
        } catch (Exception e) {
            if (!warned) {
                warned = true;
                Bench.log("Could not read the request metrics of broker %s: %s; its columns say n/a", broker, e);
            }
            return Optional.empty();
        }
    }

    /** The sum of {@code Count} over the MBeans that match; 0 if none is registered yet (no such request yet). */
    private long sum(ObjectName pattern) throws Exception {
        long total = 0;
        for (ObjectName name : server.queryNames(pattern, null)) {
            total += ((Number) server.getAttribute(name, "Count")).longValue();
        }
        return total;
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (Exception e) {
            // the broker is going away
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
