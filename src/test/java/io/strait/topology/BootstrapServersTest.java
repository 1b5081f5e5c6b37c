package io.strait.topology;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class BootstrapServersTest {

    @ParameterizedTest(name = "{0} vs {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
        127.0.0.1:9092                     | localhost:9092                     | true
        localhost:9092                     | [::1]:9092                         | true
        LOCALHOST:9092                     | 127.0.0.1:9092                     | true
        Kafka-1.Example.com:9092           | kafka-1.example.com.:9092          | true
        a:9092,b:9092                      | b:9092, a:9092                     | true
        a:9092,b:9092                      | c:9092,b:9092                      | true
        PLAINTEXT://a:9092                 | a:9092                             | true
        a:09092                            | a:9092                             | true
        localhost:9092                     | localhost:9093                     | false
        a:9092                             | a.example.com:9092                 | false
        10.0.0.1:9092                      | 10.0.0.2:9092                      | false
        """)
    void addressesInCommonMeanOneCluster(String one, String other, boolean shared) {
        var a = BootstrapServers.addresses(one);
        var b = BootstrapServers.addresses(other);
        assertThat(a.stream().anyMatch(b::contains)).as(a + " vs " + b).isEqualTo(shared);
    }
}
