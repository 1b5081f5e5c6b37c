package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.ScaleOutSettings;
import org.apache.kafka.connect.mirror.SourceAndTarget;
import org.apache.kafka.connect.mirror.rest.MirrorRestServer;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.RestServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The internal HTTP endpoint several Strait instances need to share a link (MirrorMaker 2's
 * KIP-710): a follower forwards the task configurations it computed to the link's leader here.
 * It serves only MirrorMaker 2's internal resource, whose requests Connect signs and checks with
 * the group's session key; the public Connect REST API (create, change, delete connectors) is
 * never served. One endpoint serves every link of the instance, each under
 * {@code /<source>/<target>/}.
 */
public final class InternalEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InternalEndpoint.class);

    private final Map<SourceAndTarget, Herder> herders = new ConcurrentHashMap<>();
    private final MirrorRestServer server;
    private final RestClient client;
    private final URI advertisedUrl;

    private InternalEndpoint(MirrorRestServer server, RestClient client, URI advertisedUrl) {
        this.server = server;
        this.client = client;
        this.advertisedUrl = advertisedUrl;
    }

    public static InternalEndpoint start(ScaleOutSettings settings) {
        Map<String, String> props = Map.of(
                "listeners", "http://" + settings.bind() + ":" + settings.port(),
                RestServerConfig.REST_ADVERTISED_HOST_NAME_CONFIG, settings.advertisedHost());
        RestClient client = new RestClient(RestServerConfig.forInternal(props));
        MirrorRestServer server = new MirrorRestServer(props, client);
        server.initializeServer();
        InternalEndpoint endpoint = new InternalEndpoint(server, client, server.advertisedUrl());
        server.initializeInternalResources(endpoint.herders);
        log.info("Internal endpoint for scale-out listening on {}:{}, advertised as {}", settings.bind(),
                settings.port(), endpoint.advertisedUrl);
        return endpoint;
    }

    public URI advertisedUrl() {
        return advertisedUrl;
    }

    RestClient client() {
        return client;
    }

    /** The path segments under which a link's internal requests arrive. */
    static List<String> namespace(LinkId link) {
        return List.of(encode(link.source()), encode(link.target()));
    }

    private static String encode(String segment) {
        // Jetty decodes %20 but not '+', which URLEncoder writes for spaces.
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    void register(LinkId link, Herder herder) {
        herders.put(MirrorSettings.sourceAndTarget(link), herder);
    }

    void unregister(LinkId link, Herder herder) {
        herders.remove(MirrorSettings.sourceAndTarget(link), herder);
    }

    @Override
    public void close() {
        server.stop();
    }
}
