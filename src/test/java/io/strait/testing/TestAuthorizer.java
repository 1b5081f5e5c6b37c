package io.strait.testing;

import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.kafka.server.authorizer.AuthorizerServerInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * A broker authorizer for tests ({@code authorizer.class.name}) that allows everything except
 * what it is told, to give a real broker the answers real clusters give:
 * <ul>
 *   <li>{@value #DENY}: a comma-separated list of {@code RESOURCE_TYPE:OPERATION} that every
 *       principal is denied, e.g. {@code TOPIC:ALTER} (no one may add partitions), as when the
 *       replicator's principal lacks an ACL;</li>
 *   <li>{@value #LIST_GROUPS_DELAY}: milliseconds the broker takes before it answers a ListGroups
 *       request, as a source with very many consumer groups does (KAFKA-17232). The wait holds one
 *       of the broker's request threads; give it {@code num.io.threads} to spare.</li>
 * </ul>
 */
public final class TestAuthorizer implements Authorizer {

    public static final String DENY = "strait.test.deny";
    public static final String LIST_GROUPS_DELAY = "strait.test.list.groups.delay.ms";

    private final Set<String> denied = new HashSet<>();
    private long listGroupsDelayMs;

    /** Broker settings that install this authorizer with the given extra settings. */
    public static Map<String, String> brokerConfig(Map<String, String> settings) {
        Map<String, String> config = new java.util.HashMap<>(settings);
        config.put("authorizer.class.name", TestAuthorizer.class.getName());
        return config;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object deny = configs.get(DENY);
        if (deny != null && !deny.toString().isBlank()) {
            for (String entry : deny.toString().split(",")) {
                denied.add(entry.trim());
            }
        }
        Object delay = configs.get(LIST_GROUPS_DELAY);
        listGroupsDelayMs = delay == null ? 0 : Long.parseLong(delay.toString());
    }

    @Override
    public Map<Endpoint, ? extends CompletionStage<Void>> start(AuthorizerServerInfo serverInfo) {
        return serverInfo.endpoints().stream()
                .collect(Collectors.toMap(e -> e, e -> CompletableFuture.completedFuture(null)));
    }

    @Override
    public List<AuthorizationResult> authorize(AuthorizableRequestContext context, List<Action> actions) {
        // ListGroups asks first for Describe on the cluster (then, without it, per group): wait once.
        if (listGroupsDelayMs > 0 && context.requestType() == ApiKeys.LIST_GROUPS.id
                && actions.stream().anyMatch(a -> a.resourcePattern().resourceType() == ResourceType.CLUSTER)) {
            try {
                Thread.sleep(listGroupsDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return actions.stream().map(a -> isDenied(a.resourcePattern().resourceType(), a.operation())
                ? AuthorizationResult.DENIED : AuthorizationResult.ALLOWED).toList();
    }

    @Override
    public AuthorizationResult authorizeByResourceType(AuthorizableRequestContext context, AclOperation op,
                                                       ResourceType resourceType) {
        return isDenied(resourceType, op) ? AuthorizationResult.DENIED : AuthorizationResult.ALLOWED;
    }

    private boolean isDenied(ResourceType type, AclOperation operation) {
        return denied.contains(type.name() + ":" + operation.name());
    }

    @Override
    public List<? extends CompletionStage<AclCreateResult>> createAcls(AuthorizableRequestContext context,
                                                                      List<AclBinding> bindings) {
        throw new UnsupportedOperationException("TestAuthorizer keeps no ACLs");
    }

    @Override
    public List<? extends CompletionStage<AclDeleteResult>> deleteAcls(AuthorizableRequestContext context,
                                                                      List<AclBindingFilter> filters) {
        throw new UnsupportedOperationException("TestAuthorizer keeps no ACLs");
    }

    @Override
    public Iterable<AclBinding> acls(AclBindingFilter filter) {
        return List.of();
    }

    @Override
    public void close() {
    }
}
