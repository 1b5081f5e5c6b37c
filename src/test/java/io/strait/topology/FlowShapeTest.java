package io.strait.topology;

import io.strait.topology.FlowShape.Bidirectional;
import io.strait.topology.FlowShape.FanIn;
import io.strait.topology.FlowShape.FanOut;
import io.strait.topology.FlowShape.FlowLink;
import io.strait.topology.FlowShape.Link;
import io.strait.topology.FlowShape.Pipe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Every flow shape of the README's flow table, turned into links; no file, no Kafka. */
class FlowShapeTest {

    private static final List<Selection> ORDERS = List.of(new Selection(List.of("orders"), List.of()));

    /** flow | the links it makes, in order (the README's flow table). */
    static Stream<Arguments> flowTable() {
        return Stream.of(
                row("link (a, b)", new Link("a", "b"), "a->b"),
                row("fan-out (a, [b, c])", new FanOut("a", List.of("b", "c")), "a->b, a->c"),
                row("fan-in ([a, b], c)", new FanIn(List.of("a", "b"), "c"), "a->c, b->c"),
                row("pipe [a, b, c]", new Pipe(List.of("a", "b", "c")), "a->b, b->c"),
                row("pipe [a, b, c, d]", new Pipe(List.of("a", "b", "c", "d")), "a->b, b->c, c->d"),
                row("bidirectional [a, b]", new Bidirectional(List.of("a", "b")), "a->b, b->a"),
                row("bidirectional [a, b, c]", new Bidirectional(List.of("a", "b", "c")),
                        "a->b, a->c, b->a, b->c, c->a, c->b"),
                // left in for the reader, which refuses it with the flow's name
                row("fan-out (a, [b, a])", new FanOut("a", List.of("b", "a")), "a->b, a->a"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("flowTable")
    void flowMakesTheLinksOfTheFlowTable(String flow, FlowShape shape, String links) {
        List<FlowLink> made = shape.links(ORDERS, Naming.PREFIX, ".");
        assertThat(made.stream().map(l -> l.id().toString()).collect(Collectors.joining(", "))).isEqualTo(links);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flowTable")
    void everyLinkButAPipesCarriesTheFlowsOwnTopics(String flow, FlowShape shape, String links) {
        if (!(shape instanceof Pipe)) {
            assertThat(shape.links(ORDERS, Naming.PREFIX, ".")).allSatisfy(l -> assertThat(l.topics()).isEqualTo(ORDERS));
        }
    }

    /**
     * naming | separator | hop of pipe [a, b, c, d] | topics it takes | topics it leaves. Each hop also carries
     * the copies that came from upstream, under the names the upstream hops gave them.
     */
    static Stream<Arguments> pipeHops() {
        return Stream.of(
                arguments(Naming.PREFIX, ".", "a->b", List.of("orders"), List.of("x.orders", "b.orders", "payments")),
                arguments(Naming.PREFIX, ".", "b->c", List.of("orders", "a.orders"),
                        List.of("c.orders", "b.a.orders", "aXorders")),
                arguments(Naming.PREFIX, ".", "c->d", List.of("orders", "b.orders", "b.a.orders"),
                        List.of("a.orders", "a.b.orders", "c.b.orders")),
                arguments(Naming.PREFIX, "_", "c->d", List.of("orders", "b_orders", "b_a_orders"),
                        List.of("b.orders", "b.a.orders")),
                // identity names keep the source name: the flow's own selection takes the copies
                arguments(Naming.IDENTITY, ".", "c->d", List.of("orders"), List.of("b.orders", "b.a.orders")));
    }

    @ParameterizedTest(name = "{0} {1}: {2} takes {3}")
    @MethodSource("pipeHops")
    void pipeHopCarriesUpstreamCopies(Naming naming, String separator, String hop, List<String> takes,
                                      List<String> leaves) {
        FlowLink link = new Pipe(List.of("a", "b", "c", "d")).links(ORDERS, naming, separator).stream()
                .filter(l -> l.id().equals(LinkId.parse(hop))).findFirst().orElseThrow();
        assertThat(takes).allSatisfy(topic -> assertThat(selects(link.topics(), topic)).as(topic).isTrue());
        assertThat(leaves).allSatisfy(topic -> assertThat(selects(link.topics(), topic)).as(topic).isFalse());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flowTable")
    void excludesTravelWithTheirIncludes(String flow, FlowShape shape, String links) {
        List<Selection> topics = List.of(new Selection(List.of("orders.*"), List.of("orders-tmp")));
        for (FlowLink link : shape.links(topics, Naming.PREFIX, ".")) {
            assertThat(selects(link.topics(), "orders-eu")).isTrue();
            assertThat(selects(link.topics(), "orders-tmp")).isFalse();
        }
        Map<String, Boolean> upstream = Map.of("b.a.orders-eu", true, "b.a.orders-tmp", false);
        if (shape instanceof Pipe pipe && pipe.clusters().size() == 4) {
            FlowLink last = shape.links(topics, Naming.PREFIX, ".").get(2);
            upstream.forEach((topic, taken) -> assertThat(selects(last.topics(), topic)).as(topic).isEqualTo(taken));
        }
    }

    // ---- helpers ----

    private static Arguments row(String flow, FlowShape shape, String links) {
        return arguments(flow, shape, links);
    }

    /** MirrorMaker 2's rule as Strait applies it: any selection whose include matches and no exclude does. */
    private static boolean selects(List<Selection> selections, String topic) {
        return selections.stream().anyMatch(s -> s.include().stream().anyMatch(p -> Pattern.matches(p, topic))
                && s.exclude().stream().noneMatch(p -> Pattern.matches(p, topic)));
    }
}
