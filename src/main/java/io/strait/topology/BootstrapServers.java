package io.strait.topology;

import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A cluster's {@code bootstrap-servers} as a set of comparable addresses, without asking DNS:
 * hosts in lower case without a trailing dot, every loopback name ({@code localhost},
 * {@code 127.0.0.1}, {@code ::1}) as {@code localhost}, order and duplicates ignored. Two aliases
 * that share an address reach the same broker, hence the same Kafka cluster.
 */
public final class BootstrapServers {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1",
            "localhost.localdomain", "ip6-localhost");

    private BootstrapServers() {
    }

    /** The addresses of a comma-separated {@code host:port} list, as {@code host:port} with normalized hosts. */
    public static SortedSet<String> addresses(String bootstrapServers) {
        SortedSet<String> addresses = new TreeSet<>();
        for (String entry : bootstrapServers.split(",")) {
            String address = entry.trim();
            int scheme = address.indexOf("://");
            if (scheme >= 0) {
                // Kafka's clients take PLAINTEXT://host:9092 too (Utils.getHost ignores what precedes the host).
                address = address.substring(scheme + 3);
            }
            int colon = address.lastIndexOf(':');
            if (address.isEmpty() || colon <= 0 || colon == address.length() - 1) {
                continue;
            }
            String host = address.substring(0, colon);
            String port = address.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (LOOPBACK.contains(host)) {
                host = "localhost";
            }
            try {
                addresses.add(host + ":" + Integer.parseInt(port));
            } catch (NumberFormatException e) {
                addresses.add(host + ":" + port);
            }
        }
        return addresses;
    }
}
