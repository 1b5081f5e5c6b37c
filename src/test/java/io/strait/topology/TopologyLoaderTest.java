package io.strait.topology;

import io.strait.replication.KafkaSettingsValidator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.SelectionTopicFilter;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class TopologyLoaderTest {

    private static final Path VALID = Path.of("src/test/resources/topologies/valid");
    private static final Path INVALID = Path.of("src/test/resources/topologies/invalid");
    private static final Path EXAMPLES = Path.of("topologies");

    private final TopologyLoader loader = new TopologyLoader(Map.of());

    // ---- helpers ----

    private Topology valid(String name) throws TopologyException {
        return loader.load(VALID.resolve(name));
    }

    private static List<Problem> errors(TopologyLoader loader, Path file) {
        try {
            Topology topology = loader.load(file);
            return fail("expected %s to be refused, but it loaded with links %s", file, topology.links().keySet());
        } catch (TopologyException e) {
            assertThat(e.errors()).as("errors of %s", file).isNotEmpty();
            return e.errors();
        }
    }

    private List<Problem> errors(String invalidName) {
        return errors(loader, INVALID.resolve(invalidName));
    }

    private List<Problem> errorsOf(String text) {
        try {
            Topology topology = loader.parse(text, "inline.conf");
            return fail("expected the topology to be refused, but it loaded with links %s", topology.links().keySet());
        } catch (TopologyException e) {
            assertThat(e.errors()).isNotEmpty();
            return e.errors();
        }
    }

    /** The single error of an invalid file, at {@code file:line}, whose message holds every word given. */
    private Problem singleError(String invalidName, int line, String... words) {
        List<Problem> errors = errors(invalidName);
        assertThat(errors).as("errors of %s", invalidName).hasSize(1);
        assertProblem(errors.get(0), INVALID.resolve(invalidName), line, words);
        return errors.get(0);
    }

    private static void assertProblem(Problem problem, Path file, int line, String... words) {
        assertProblem(problem, file.toString(), line, words);
    }

    private static void assertProblem(Problem problem, String file, int line, String... words) {
        assertThat(problem.location()).as("location of %s", problem).isEqualTo(file + ":" + line);
        assertThat(problem.message()).as("message of %s", problem).contains(words);
    }

    private static LinkId[] ids(String... links) {
        return Arrays.stream(links).map(LinkId::parse).toArray(LinkId[]::new);
    }

    private static SelectionTopicFilter topicFilter(Topology topology, String link) {
        Map<String, String> config = new MirrorSettings(topology, 1)
                .connectorConfig(LinkId.parse(link), MirrorSourceConnector.class);
        SelectionTopicFilter filter = new SelectionTopicFilter();
        filter.configure(config);
        return filter;
    }

    private static final String TWO_CLUSTERS = """
            strait {
              clusters {
                a { bootstrap-servers = "a:9092" }
                b { bootstrap-servers = "b:9092" }
                c { bootstrap-servers = "c:9092" }
              }
            """;

    // ---- shapes ----

    @Nested
    class Shapes {

        @Test
        void linkMakesOneLink() throws Exception {
            Topology topology = valid("link.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b"));
            LinkSettings link = topology.links().get(LinkId.parse("a->b"));
            assertThat(link.flows()).containsExactly("dr");
            assertThat(link.location()).isEqualTo(VALID.resolve("link.conf") + ":8");
            assertThat(link.naming()).isEqualTo(Naming.PREFIX);
            assertThat(link.separator()).isEqualTo(".");
            assertThat(link.tasks()).isZero();
            assertThat(link.topics()).containsExactly(new Selection(List.of(".*"), List.of()));
            assertThat(topology.warnings()).isEmpty();
        }

        @Test
        void fanOutMakesALinkToEachTarget() throws Exception {
            assertThat(valid("fan-out.conf").links().keySet()).containsExactly(ids("a->b", "a->c"));
        }

        @Test
        void fanInMakesALinkFromEachSource() throws Exception {
            assertThat(valid("fan-in.conf").links().keySet()).containsExactly(ids("a->c", "b->c"));
        }

        @Test
        void pipeOfThreeMakesTwoHops() throws Exception {
            assertThat(valid("pipe-3.conf").links().keySet()).containsExactly(ids("a->b", "b->c"));
        }

        @Test
        void pipeOfFourMakesThreeHops() throws Exception {
            assertThat(valid("pipe-4.conf").links().keySet()).containsExactly(ids("a->b", "b->c", "c->d"));
        }

        @Test
        void bidirectionalOfTwoMakesBothDirections() throws Exception {
            assertThat(valid("bidirectional-2.conf").links().keySet()).containsExactly(ids("a->b", "b->a"));
        }

        @Test
        void bidirectionalOfThreeMakesAFullMesh() throws Exception {
            assertThat(valid("bidirectional-3.conf").links().keySet())
                    .containsExactly(ids("a->b", "a->c", "b->a", "b->c", "c->a", "c->b"));
        }

        @Test
        void complexMixMakesEachFlowsLinks() throws Exception {
            Topology topology = valid("complex.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b", "a->d", "b->a", "c->b"));
            assertThat(topology.links().get(LinkId.parse("a->b")).flows()).containsExactly("active");
            assertThat(topology.links().get(LinkId.parse("b->a")).flows()).containsExactly("active");
            assertThat(topology.links().get(LinkId.parse("c->b")).flows()).containsExactly("feed");
            assertThat(topology.links().get(LinkId.parse("a->d")).flows()).containsExactly("archive");
            assertThat(topology.clusters().keySet()).containsExactly("a", "b", "c", "d");
        }
    }

    // ---- pipes carry upstream copies ----

    @Nested
    class PipeCarriesUpstreamCopies {

        @Test
        void firstHopSelectsOnlyTheTopicItself() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("pipe-3.conf"), "a->b");
            assertThat(filter.shouldReplicateTopic("orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders")).isFalse();
            assertThat(filter.shouldReplicateTopic("other")).isFalse();
        }

        @Test
        void secondHopOfThreeAlsoSelectsTheCopyFromTheFirstCluster() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("pipe-3.conf"), "b->c");
            assertThat(filter.shouldReplicateTopic("orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("x.orders")).isFalse();
            assertThat(filter.shouldReplicateTopic("a.other")).isFalse();
            assertThat(filter.shouldReplicateTopic("aXorders")).as("the separator is a literal, not any character")
                    .isFalse();
            assertThat(filter.shouldReplicateTopic("c.orders")).isFalse();
        }

        @Test
        void lastHopOfFourSelectsEveryUpstreamCopy() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("pipe-4.conf"), "c->d");
            assertThat(filter.shouldReplicateTopic("orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("b.orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("b.a.orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders")).as("a's copies reach c as b.a.orders").isFalse();
            assertThat(filter.shouldReplicateTopic("a.b.orders")).isFalse();
            assertThat(filter.shouldReplicateTopic("b.other")).isFalse();
            assertThat(filter.shouldReplicateTopic("d.orders")).isFalse();
        }

        @Test
        void middleHopOfFourSelectsTheCopyFromTheFirstCluster() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("pipe-4.conf"), "b->c");
            assertThat(filter.shouldReplicateTopic("orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("b.a.orders")).isFalse();
        }

        @Test
        void upstreamCopiesKeepTheExcludesAndTheCustomSeparator() throws Exception {
            Topology topology = loader.parse(TWO_CLUSTERS + """
                      flows {
                        chain {
                          type = pipe
                          clusters = [a, b, c]
                          topics = ["orders.*"]
                          topics-exclude = ["orders-secret"]
                          separator = "_"
                        }
                      }
                    }
                    """, "inline.conf");
            SelectionTopicFilter filter = topicFilter(topology, "b->c");
            assertThat(filter.shouldReplicateTopic("orders-eu")).isTrue();
            assertThat(filter.shouldReplicateTopic("a_orders-eu")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders-eu")).isFalse();
            assertThat(filter.shouldReplicateTopic("orders-secret")).isFalse();
            assertThat(filter.shouldReplicateTopic("a_orders-secret")).isFalse();
        }

        @Test
        void identityPipeCarriesNoPrefixedCopies() throws Exception {
            Topology topology = loader.parse(TWO_CLUSTERS + """
                      flows {
                        chain { type = pipe, clusters = [a, b, c], topics = [orders], naming = identity }
                      }
                    }
                    """, "inline.conf");
            LinkSettings hop = topology.links().get(LinkId.parse("b->c"));
            assertThat(hop.topics()).containsExactly(new Selection(List.of("orders"), List.of()));
            SelectionTopicFilter filter = topicFilter(topology, "b->c");
            assertThat(filter.shouldReplicateTopic("orders")).isTrue();
            assertThat(filter.shouldReplicateTopic("a.orders")).isFalse();
        }
    }

    // ---- merging ----

    @Nested
    class Merging {

        @Test
        void agreeingFlowsShareALinkWithBothNames() throws Exception {
            Topology topology = valid("merge-agreeing.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b", "a->c"));
            LinkSettings shared = topology.links().get(LinkId.parse("a->b"));
            assertThat(shared.flows()).containsExactly("extras", "orders");
            assertThat(shared.topics()).containsExactly(
                    new Selection(List.of("orders.*"), List.of("orders-secret")),
                    new Selection(List.of("orders-secret", "payments"), List.of()));
            assertThat(topology.links().get(LinkId.parse("a->c")).flows()).containsExactly("extras");
        }

        @Test
        void mergedLinkSelectsTheUnion() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("merge-agreeing.conf"), "a->b");
            assertThat(filter.shouldReplicateTopic("orders-eu")).as("from flow orders").isTrue();
            assertThat(filter.shouldReplicateTopic("payments")).as("from flow extras").isTrue();
            assertThat(filter.shouldReplicateTopic("orders-secret"))
                    .as("excluded by flow orders, but included by flow extras").isTrue();
            assertThat(filter.shouldReplicateTopic("other")).isFalse();
        }

        @Test
        void linkOfOneFlowKeepsOnlyThatFlowsSelection() throws Exception {
            SelectionTopicFilter filter = topicFilter(valid("merge-agreeing.conf"), "a->c");
            assertThat(filter.shouldReplicateTopic("payments")).isTrue();
            assertThat(filter.shouldReplicateTopic("orders-secret")).isTrue();
            assertThat(filter.shouldReplicateTopic("orders-eu")).isFalse();
        }

        @Test
        void flowsDifferingInNamingConflict() {
            Path file = INVALID.resolve("conflicting-naming-links.conf");
            singleError("conflicting-naming-links.conf", 9, "Conflicting flows first (" + file + ":8) and second",
                    "link a->b", "naming (prefix vs identity)");
        }

        @Test
        void flowsDifferingInMirrorSettingsConflict() {
            Path file = INVALID.resolve("conflicting-mirror.conf");
            singleError("conflicting-mirror.conf", 14, "Conflicting flows first (" + file + ":8) and second",
                    "link a->b", "mirror settings [sync.topic.configs.enabled]");
        }

        @Test
        void flowsDifferingInSeparatorOrTasksConflict() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flows {
                        one { type = link, source = a, target = b, separator = "_", tasks = 2 }
                        two { type = link, source = a, target = b }
                      }
                    }
                    """);
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, "inline.conf", 9,
                    "one", "two", "separator (\"_\" vs \".\")", "tasks (2 vs auto)"));
        }
    }

    // ---- validation errors ----

    @Nested
    class Errors {

        @Test
        void hoconSyntaxError() {
            singleError("syntax-error.conf", 8, "Expecting close brace }");
        }

        @Test
        void hoconSyntaxErrorInText() {
            assertThat(errorsOf("strait {\n  clusters {\n    a = [\n}\n"))
                    .singleElement().satisfies(p -> assertThat(p.location()).startsWith("inline.conf:"));
        }

        @Test
        void unsetRequiredVariables() {
            List<Problem> errors = errors("unset-variables.conf");
            Path file = INVALID.resolve("unset-variables.conf");
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), file, 4, "Unset variable in ${A_BOOTSTRAP}", "A_BOOTSTRAP is neither set",
                    "${?A_BOOTSTRAP}");
            assertProblem(errors.get(1), file, 7, "Unset variable in ${B_JAAS}", "B_JAAS is neither set");
        }

        @Test
        void requiredVariablesFromTheEnvironment() throws Exception {
            Topology topology = new TopologyLoader(Map.of("A_BOOTSTRAP", "kafka-a:9092", "B_JAAS", "jaas-b"))
                    .load(INVALID.resolve("unset-variables.conf"));
            assertThat(topology.cluster("a").bootstrapServers()).isEqualTo("kafka-a:9092");
            assertThat(topology.cluster("b").kafkaClients()).containsExactly(Map.entry("sasl.jaas.config", "jaas-b"));
        }

        @Test
        void optionalVariableWhenSet() throws Exception {
            Topology topology = new TopologyLoader(Map.of("A_BOOTSTRAP", "kafka-a:9092"))
                    .load(VALID.resolve("optional-variable.conf"));
            assertThat(topology.cluster("a").bootstrapServers()).isEqualTo("kafka-a:9092");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b"));
        }

        @Test
        void optionalVariableWhenUnsetLeavesTheKeyAbsent() {
            List<Problem> errors = errors(loader, VALID.resolve("optional-variable.conf"));
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, VALID.resolve("optional-variable.conf"),
                    4, "Missing bootstrap-servers for cluster a"));
        }

        @Test
        void optionalVariableOverridesADefaultOnlyWhenSet() throws Exception {
            String text = TWO_CLUSTERS + """
                      flows { dr { type = link, source = a, target = b } }
                      http.port = 9000
                      http.port = ${?PORT}
                    }
                    """;
            assertThat(loader.parse(text, "inline.conf").http().port()).isEqualTo(9000);
            assertThat(new TopologyLoader(Map.of("PORT", "9100")).parse(text, "inline.conf").http().port())
                    .isEqualTo(9100);
        }

        /** An unset ${VAR} anywhere is an error with its line, never an exception that escapes. */
        @ParameterizedTest
        @ValueSource(strings = {
            "flows { dr { type = ${T}, source = a, target = b } }",
            "flows { dr { type = link, source = ${S}, target = b } }",
            "flows { dr { type = link, source = a, target = b, topics = [x, ${T}] } }",
            "flows { dr { type = link, source = a, target = b, tasks = ${T} } }",
            "flows { dr { type = link, source = a, target = b } }, http.port = ${T}",
            "flows { dr { type = link, source = a, target = b } }, flow-defaults.tasks = ${T}",
            "flows { dr { type = link, source = a, target = b } }, engine.worker { \"x.y\" = ${T} }",
            "flows { dr = ${T} }"
        })
        void unsetVariableAnywhereIsReportedOnItsLine(String flows) {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + "  " + flows + "\n}\n");
            assertThat(errors.get(0).location()).isEqualTo("inline.conf:7");
            assertThat(errors.get(0).message()).startsWith("Unset variable in ${");
        }

        @Test
        void unsetBootstrapServersIsReportedOnce() {
            List<Problem> errors = errorsOf("""
                    strait {
                      clusters {
                        a {
                          bootstrap-servers = ${A_BOOTSTRAP}
                        }
                        b { bootstrap-servers = "b:9092" }
                      }
                      flows { dr { type = link, source = a, target = b } }
                    }
                    """);
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, "inline.conf", 4,
                    "Unset variable in ${A_BOOTSTRAP}"));
        }

        @Test
        void unknownClusterListsTheKnownOnes() {
            singleError("unknown-cluster.conf", 11, "Unknown cluster wset in target of flow dr",
                    "known clusters are east, west");
        }

        @Test
        void unknownClusterWithACloseNameSuggestsIt() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flows {
                        dr { type = fan-out, source = a, targets = [b, cc] }
                      }
                    }
                    """);
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, "inline.conf", 8,
                    "Unknown cluster cc in targets of flow dr", "known clusters are a, b, c", "(did you mean c?)"));
        }

        @Test
        void selfLink() {
            singleError("self-link.conf", 8, "Invalid link a->a in flow loop", "cannot replicate to itself");
        }

        @Test
        void selfLinkInAFanOut() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flows {
                        spread { type = fan-out, source = a, targets = [b, a] }
                      }
                    }
                    """);
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, "inline.conf", 8,
                    "Invalid link a->a in flow spread"));
        }

        @Test
        void unknownFlowType() {
            singleError("unknown-flow-type-ring.conf", 9, "Invalid value ring for type of flow round",
                    "write one of link, fan-out, fan-in, pipe, bidirectional");
        }

        @Test
        void missingBootstrapServers() {
            singleError("missing-bootstrap-servers.conf", 5, "Missing bootstrap-servers for cluster b");
        }

        @Test
        void emptyAlias() {
            singleError("alias-empty.conf", 5, "Invalid cluster alias \"\"", "only letters, digits, _ and -");
        }

        @Test
        void aliasWithADot() {
            singleError("alias-dot-unused.conf", 6, "Invalid cluster alias \"us.east\"", "(no dots)", "for example us-east");
        }

        @Test
        void aliasWithASpace() {
            singleError("alias-space.conf", 4, "Invalid cluster alias \"a b\"", "for example a-b");
        }

        @Test
        void aliasContainingTheSeparator() {
            singleError("alias-contains-separator-first-cluster.conf", 4, "Invalid cluster alias us_east",
                    "contains the separator \"_\" of flow dr", "choose another separator");
        }

        @Test
        void aliasContainingTheSeparatorIsFineUnderIdentityNaming() throws Exception {
            Topology topology = loader.parse("""
                    strait {
                      clusters {
                        us_east { bootstrap-servers = "a:9092" }
                        eu { bootstrap-servers = "b:9092" }
                      }
                      flows { dr { type = link, source = us_east, target = eu, separator = "_", naming = identity } }
                    }
                    """, "inline.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("us_east->eu"));
        }

        @Test
        void invalidRegex() {
            singleError("bad-regex.conf", 12, "Invalid value orders(eu for topics of flow dr",
                    "not a regular expression");
        }

        @Test
        void invalidRegexInExcludesAndGroups() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flows {
                        dr {
                          type = link, source = a, target = b
                          topics-exclude = ["[tmp"]
                          groups = ["*"]
                        }
                      }
                    }
                    """);
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), "inline.conf", 10, "Invalid value [tmp for topics-exclude of flow dr");
            assertProblem(errors.get(1), "inline.conf", 11, "Invalid value * for groups of flow dr");
        }

        @Test
        void identityOnABidirectionalFlow() {
            List<Problem> errors = errors("identity-bidirectional.conf");
            Path file = INVALID.resolve("identity-bidirectional.conf");
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), file, 8, "Invalid naming identity for link a->b of flow active",
                    "cycle a->b->a", "write naming = prefix");
            assertProblem(errors.get(1), file, 8, "Invalid naming identity for link b->a of flow active",
                    "cycle b->a->b");
        }

        @Test
        void identityOnARingOfLinks() {
            singleError("identity-ring-of-links.conf", 10, "Invalid naming identity for link b->c of flow bc",
                    "cycle b->c->a->b");
        }

        @Test
        void identityOnEveryLinkOfARing() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flow-defaults.naming = identity
                      flows {
                        ab { type = link, source = a, target = b }
                        bc { type = link, source = b, target = c }
                        ca { type = link, source = c, target = a }
                      }
                    }
                    """);
            assertThat(errors).extracting(Problem::location)
                    .containsExactly("inline.conf:9", "inline.conf:10", "inline.conf:11");
            assertThat(errors).extracting(Problem::message).satisfiesExactly(
                    m -> assertThat(m).contains("link a->b", "cycle a->b->c->a"),
                    m -> assertThat(m).contains("link b->c", "cycle b->c->a->b"),
                    m -> assertThat(m).contains("link c->a", "cycle c->a->b->c"));
        }

        @Test
        void identityOnAnAcyclicLinkIsAllowed() throws Exception {
            Topology topology = valid("identity-acyclic.conf");
            assertThat(topology.links().get(LinkId.parse("a->b")).naming()).isEqualTo(Naming.IDENTITY);
            assertThat(topology.warnings()).isEmpty();
        }

        @Test
        void identityOnAFanOutIsAllowed() throws Exception {
            Topology topology = loader.parse(TWO_CLUSTERS + """
                      flows { spread { type = fan-out, source = a, targets = [b, c], naming = identity } }
                    }
                    """, "inline.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b", "a->c"));
        }

        @Test
        void refusedClientKeys() {
            List<Problem> errors = errors("refused-client-keys.conf");
            Path file = INVALID.resolve("refused-client-keys.conf");
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), file, 7, "Invalid key bootstrap.servers in kafka-clients of cluster a",
                    "write bootstrap-servers instead");
            assertProblem(errors.get(1), file, 14, "Invalid key group.id in kafka-clients of cluster b",
                    "Strait sets it");
        }

        @Test
        void refusedMirrorKeys() {
            List<Problem> errors = errors("refused-mirror-keys.conf");
            Path file = INVALID.resolve("refused-mirror-keys.conf");
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), file, 13, "Invalid key tasks.max in the mirror block of flow dr",
                    "write tasks instead");
            assertProblem(errors.get(1), file, 15, "Invalid key topics in the mirror block of flow dr",
                    "write topics instead");
        }

        @Test
        void unknownFlowKeySuggestsTheClosestKnownKey() {
            singleError("unknown-flow-key.conf", 12, "Unknown key topic in flow dr", "known keys are",
                    "(did you mean topics?)");
        }

        @Test
        void unknownKeysInClustersAndTheRoot() {
            List<Problem> errors = errorsOf("""
                    strait {
                      clusters {
                        a { bootstrap-servers = "a:9092", bootstrap-server = "x:1" }
                        b { bootstrap-servers = "b:9092" }
                      }
                      flowz { }
                      flows { dr { type = link, source = a, target = b } }
                    }
                    """);
            assertThat(errors).hasSize(2);
            assertProblem(errors.get(0), "inline.conf", 6, "Unknown key flowz in strait", "(did you mean flows?)");
            assertProblem(errors.get(1), "inline.conf", 3, "Unknown key bootstrap-server in cluster a",
                    "(did you mean bootstrap-servers?)");
        }

        @Test
        void unknownKeysInDefaultsHttpAndEngine() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      cluster-defaults { kafka-client { "security.protocol" = SSL } }
                      flow-defaults { topic = [orders] }
                      http { prot = 80 }
                      engine { workers { x = 1 } }
                      flows { dr { type = link, source = a, target = b } }
                    }
                    """);
            assertThat(errors).hasSize(4);
            assertProblem(errors.get(0), "inline.conf", 7, "Unknown key kafka-client in cluster-defaults",
                    "(did you mean kafka-clients?)");
            assertProblem(errors.get(1), "inline.conf", 8, "Unknown key topic in flow-defaults",
                    "(did you mean topics?)");
            assertProblem(errors.get(2), "inline.conf", 9, "Unknown key prot in http");
            assertProblem(errors.get(3), "inline.conf", 10, "Unknown key workers in engine", "(did you mean worker?)");
        }

        @Test
        void endpointKeyOfAnotherFlowType() {
            List<Problem> errors = errorsOf(TWO_CLUSTERS + """
                      flows { dr { type = link, source = a, target = b, targets = [c] } }
                    }
                    """);
            assertThat(errors).singleElement().satisfies(p -> assertProblem(p, "inline.conf", 7,
                    "Invalid key targets in flow dr", "a link flow takes source and target"));
        }

        @Test
        void tasksOfTheWrongType() {
            singleError("wrong-type-tasks.conf", 12, "Invalid value \"many\" for tasks of flow dr",
                    "write auto or a number of at least 1");
        }

        @Test
        void topicsOfTheWrongType() {
            singleError("wrong-type-topics.conf", 12, "Invalid value {\"a\":1} for topics of flow dr",
                    "write a list of names");
        }

        @Test
        void emptyFile() {
            singleError("empty.conf", 1, "No strait { } block");
        }

        @Test
        void missingStraitBlock() {
            singleError("no-strait-block.conf", 1, "No strait { } block");
        }

        @Test
        void missingFlowsIsReportedInTheFileNotInReferenceConf() {
            singleError("no-flows.conf", 2, "No flows: define at least one under strait.flows");
        }

        @Test
        void missingFile() {
            Path file = INVALID.resolve("does-not-exist.conf");
            assertThat(errors(loader, file)).singleElement().satisfies(p -> {
                assertThat(p.location()).isEqualTo(file.toString());
                assertThat(p.message()).startsWith("No such file");
            });
        }

        @Test
        void everyErrorIsCollected() {
            List<Problem> errors = errors("many-errors.conf");
            Path file = INVALID.resolve("many-errors.conf");
            assertThat(errors).hasSize(4);
            assertProblem(errors.get(0), file, 5, "Missing bootstrap-servers for cluster b");
            assertProblem(errors.get(1), file, 6, "Invalid cluster alias \"c.d\"");
            assertProblem(errors.get(2), file, 13, "Invalid value 0 for tasks of flow dr");
            assertProblem(errors.get(3), file, 16, "Invalid value star for type of flow other");
        }

        @Test
        void exceptionMessageListsEveryErrorWithItsLocation() {
            try {
                loader.load(INVALID.resolve("many-errors.conf"));
                fail("expected many-errors.conf to be refused");
            } catch (TopologyException e) {
                assertThat(e.getMessage().lines()).hasSize(4)
                        .allSatisfy(line -> assertThat(line).startsWith(INVALID.resolve("many-errors.conf") + ":"));
            }
        }

        /** Every invalid file is refused with errors, never with an exception that escapes. */
        @ParameterizedTest
        @MethodSource("io.strait.topology.TopologyLoaderTest#invalidFiles")
        void everyInvalidFileIsRefused(Path file) {
            // checking raw Kafka settings as validate and run do: some files are invalid only for Kafka
            assertThat(errors(new TopologyLoader(Map.of(), new KafkaSettingsValidator()), file)).allSatisfy(p -> {
                assertThat(p.isError()).isTrue();
                assertThat(p.location()).startsWith(file.toString());
            });
        }
    }

    // ---- warnings ----

    @Nested
    class Warnings {

        @Test
        void topicsMirrorMakerNeverReplicatesWarnButLoad() throws Exception {
            Topology topology = valid("never-replicated-topics.conf");
            Path file = VALID.resolve("never-replicated-topics.conf");
            assertThat(topology.links().keySet()).containsExactly(ids("a->b"));
            assertThat(topology.warnings()).hasSize(2).noneMatch(Problem::isError);
            assertProblem(topology.warnings().get(0), file, 8, "topics pattern __consumer_offsets of flow dr",
                    "never replicates");
            assertProblem(topology.warnings().get(1), file, 8, "topics pattern mm2-offset-syncs.b.internal of flow dr");
        }

        @Test
        void ordinaryTopicsAndRegexesDoNotWarn() throws Exception {
            Topology topology = loader.parse(TWO_CLUSTERS + """
                      flows { dr { type = link, source = a, target = b, topics = ["orders", "internal", ".*", "__.*",
                              # Kafka 4.3's MirrorMaker 2 copies these (DefaultTopicFilter excludes only mm2.*.internal)
                              "audit.internal", "audit-internal", "b.checkpoints-internal"] } }
                    }
                    """, "inline.conf");
            assertThat(topology.warnings()).isEmpty();
        }

        @Test
        void mirrorMakersInternalNamesFollowTheSeparator() throws Exception {
            Topology topology = loader.parse(TWO_CLUSTERS + """
                      flows { dr { type = link, source = a, target = b, separator = "_",
                                   topics = ["b_checkpoints_internal", "mm2-offset-syncs_b_internal", "b.checkpoints.internal"] } }
                    }
                    """, "inline.conf");
            assertThat(topology.warnings()).extracting(Problem::message).satisfiesExactly(
                    m -> assertThat(m).startsWith("topics pattern b_checkpoints_internal of flow dr can only match")
                            .contains("*_checkpoints_internal"),
                    m -> assertThat(m).startsWith("topics pattern mm2-offset-syncs_b_internal of flow dr"));
        }

        @Test
        void aliasesListingTheSameServersWarnWithWhatRunWillDo() throws Exception {
            Topology topology = loader.parse("""
                    strait {
                      clusters {
                        a  { bootstrap-servers = "127.0.0.1:9092" }
                        a2 { bootstrap-servers = "kafka.example.com:9093,LOCALHOST:9092" }
                        b  { bootstrap-servers = "b:9092" }
                      }
                      flows {
                        self { type = link, source = a, target = a2 }
                        dr   { type = link, source = a, target = b }
                      }
                    }
                    """, "inline.conf");
            assertThat(topology.links()).hasSize(2);
            assertThat(topology.warnings()).singleElement().satisfies(p -> {
                assertThat(p.isError()).isFalse();
                assertProblem(p, "inline.conf", 4, "clusters a (127.0.0.1:9092) and a2 (kafka.example.com:9093,"
                        + "LOCALHOST:9092) list the same Kafka servers: link a->a2 would copy that cluster into itself"
                        + " without end", "(run and plan compare the clusters' IDs, and do not start the link when they match)");
            });
        }

        @Test
        void aliasesOfOneClusterInAFanInWarn() throws Exception {
            Topology topology = loader.parse("""
                    strait {
                      clusters {
                        a  { bootstrap-servers = "localhost:9092" }
                        a2 { bootstrap-servers = "[::1]:9092" }
                        c  { bootstrap-servers = "c:9092" }
                      }
                      flows { in { type = fan-in, sources = [a, a2], target = c } }
                    }
                    """, "inline.conf");
            assertThat(topology.warnings()).singleElement().satisfies(p ->
                    assertThat(p.message()).contains("links a->c and a2->c copy between the same two Kafka clusters",
                            "do not start these links"));
        }

        @Test
        void pipeWhoseTopicNameGrowsTooLongWarns() throws Exception {
            Topology topology = valid("long-pipe-names.conf");
            assertThat(topology.links()).hasSize(3);
            assertThat(topology.warnings()).singleElement().satisfies(p -> {
                assertThat(p.isError()).isFalse();
                assertProblem(p, VALID.resolve("long-pipe-names.conf"), 10, "topic " + "t".repeat(120) + " of flow long",
                        "303 characters", "longer than Kafka's 249");
            });
        }

        @Test
        void pipeNameOfExactly249CharactersDoesNotWarn() throws Exception {
            assertThat(pipeOfTwo("t".repeat(247)).warnings()).isEmpty();
        }

        @Test
        void pipeNameOf250CharactersWarns() throws Exception {
            assertThat(pipeOfTwo("t".repeat(248)).warnings()).singleElement()
                    .satisfies(p -> assertProblem(p, "inline.conf", 7, "250 characters"));
        }

        private Topology pipeOfTwo(String topic) throws TopologyException {
            return loader.parse(TWO_CLUSTERS + "  flows { chain { type = pipe, clusters = [a, b], topics = [" + topic
                    + "] } }\n}\n", "inline.conf");
        }
    }

    // ---- the examples ----

    static Stream<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            List<Path> list = files.filter(f -> f.toString().endsWith(".conf")).sorted().toList();
            assertThat(list).as("examples under %s", EXAMPLES.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(6);
            return list.stream();
        }
    }

    static Stream<Path> validFiles() throws IOException {
        try (Stream<Path> files = Files.list(VALID)) {
            return files.filter(f -> f.toString().endsWith(".conf")).sorted().toList().stream();
        }
    }

    static Stream<Path> invalidFiles() throws IOException {
        try (Stream<Path> files = Files.list(INVALID)) {
            return files.filter(f -> f.toString().endsWith(".conf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void everyExampleLoadsWithoutErrorOrWarning(Path file) throws Exception {
        Topology topology = loader.load(file);
        assertThat(topology.links()).isNotEmpty();
        assertThat(topology.warnings()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("validFiles")
    void everyValidTestFileLoads(Path file) throws Exception {
        Topology topology = new TopologyLoader(Map.of("A_BOOTSTRAP", "kafka-a:9092")).load(file);
        assertThat(topology.links()).isNotEmpty();
    }

    @Test
    void examplesTakeBootstrapServersFromTheEnvironment() throws Exception {
        Topology topology = new TopologyLoader(Map.of("EAST_BOOTSTRAP", "kafka-east:9092"))
                .load(EXAMPLES.resolve("link.conf"));
        assertThat(topology.cluster("east").bootstrapServers()).isEqualTo("kafka-east:9092");
        assertThat(topology.cluster("west").bootstrapServers()).isEqualTo("localhost:9093");
    }

    @Test
    void complexExampleLinks() throws Exception {
        Topology topology = loader.load(EXAMPLES.resolve("complex.conf"));
        assertThat(topology.links().keySet()).containsExactly(ids("a->b", "a->d", "b->a", "c->b"));
        assertThat(topology.links().get(LinkId.parse("a->d")).mirror())
                .containsEntry("sync.topic.configs.enabled", "false");
        assertThat(topology.cluster("d").kafkaClients()).containsExactly(Map.entry("client.dns.lookup", "use_all_dns_ips"));
    }
}
