package io.strait.replication;

import io.strait.topology.Selection;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SelectionTopicFilterTest {

    private static final String INTERNAL = "internal (MirrorMaker 2 never replicates it)";
    private static final String EXCLUDED = "excluded (matches an exclude pattern)";
    private static final String NOT_INCLUDED = "not included (matches no include pattern)";

    private static Selection selection(List<String> include, List<String> exclude) {
        return new Selection(include, exclude);
    }

    private static SelectionTopicFilter filter(Selection... selections) {
        SelectionTopicFilter filter = new SelectionTopicFilter();
        filter.configure(SelectionFilter.properties(SelectionTopicFilter.PREFIX, List.of(selections)));
        return filter;
    }

    @Test
    void propertiesOfSelections() {
        assertThat(SelectionFilter.properties("strait.topics", List.of(
                selection(List.of("orders"), List.of()),
                selection(List.of("a", "b|c"), List.of("x", "y")))))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "strait.topics.0.include", "orders",
                        "strait.topics.0.exclude", "(?!)",
                        "strait.topics.1.include", "(?:a)|(?:b|c)",
                        "strait.topics.1.exclude", "(?:x)|(?:y)"));
    }

    @Test
    void includeMatchesTheWholeName() {
        SelectionTopicFilter filter = filter(selection(List.of("orders"), List.of()));
        assertThat(filter.shouldReplicateTopic("orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders2")).isFalse();
        assertThat(filter.shouldReplicateTopic("my-orders")).isFalse();
    }

    @Test
    void alternativesInsideAPatternStayInsideIt() {
        SelectionTopicFilter filter = filter(selection(List.of("a|b", "c"), List.of("b")));
        assertThat(filter.shouldReplicateTopic("a")).isTrue();
        assertThat(filter.shouldReplicateTopic("b")).isFalse();
        assertThat(filter.shouldReplicateTopic("c")).isTrue();
        assertThat(filter.shouldReplicateTopic("ac")).isFalse();
    }

    @Test
    void excludeWinsWithinOneSelection() {
        SelectionTopicFilter filter = filter(selection(List.of("orders.*"), List.of("orders-secret")));
        assertThat(filter.shouldReplicateTopic("orders-eu")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders-secret")).isFalse();
        assertThat(filter.reasonSkipped("orders-secret")).contains(EXCLUDED);
    }

    @Test
    void unionOfSelections() {
        SelectionTopicFilter filter = filter(
                selection(List.of("orders.*"), List.of("orders-secret")),
                selection(List.of("orders-secret", "payments"), List.of()));
        assertThat(filter.shouldReplicateTopic("orders-eu")).isTrue();
        assertThat(filter.shouldReplicateTopic("payments")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders-secret"))
                .as("excluded by one selection, included by the other").isTrue();
        assertThat(filter.shouldReplicateTopic("other")).isFalse();
        assertThat(filter.reasonSkipped("orders-secret")).isEmpty();
    }

    @Test
    void excludedByEverySelectionThatIncludesIt() {
        SelectionTopicFilter filter = filter(
                selection(List.of(".*"), List.of("tmp\\..*")),
                selection(List.of("tmp\\..*", "logs"), List.of("tmp\\.x")),
                selection(List.of("other"), List.of()));
        assertThat(filter.shouldReplicateTopic("tmp.y")).isTrue();
        assertThat(filter.shouldReplicateTopic("tmp.x")).isFalse();
        assertThat(filter.reasonSkipped("tmp.x")).contains(EXCLUDED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"__consumer_offsets", "__x", "mm2-offsets.a.internal", "mm2-configs.east.internal",
        "x.replica"})
    void mirrorMakerDefaultExcludesNeverPass(String topic) {
        SelectionTopicFilter filter = filter(
                selection(List.of(".*"), List.of()),
                selection(List.of(java.util.regex.Pattern.quote(topic)), List.of()));
        assertThat(filter.shouldReplicateTopic(topic)).isFalse();
        assertThat(filter.reasonSkipped(topic)).contains(INTERNAL);
    }

    @Test
    void reasons() {
        SelectionTopicFilter filter = filter(selection(List.of("orders.*"), List.of("orders-tmp")));
        assertThat(filter.reasonSkipped("orders")).isEmpty();
        assertThat(filter.reasonSkipped("orders-tmp")).contains(EXCLUDED);
        assertThat(filter.reasonSkipped("payments")).contains(NOT_INCLUDED);
        assertThat(filter.reasonSkipped("__orders")).contains(INTERNAL);
        assertThat(filter.reasonSkipped("orders.replica")).as("internal wins over included").contains(INTERNAL);
    }

    @Test
    void emptyIncludeSelectsNothing() {
        SelectionTopicFilter filter = filter(selection(List.of(), List.of()));
        assertThat(filter.shouldReplicateTopic("orders")).isFalse();
        assertThat(filter.shouldReplicateTopic("")).isFalse();
        assertThat(filter.reasonSkipped("orders")).contains(NOT_INCLUDED);
    }

    @Test
    void missingExcludeExcludesNothing() {
        SelectionTopicFilter filter = new SelectionTopicFilter();
        filter.configure(Map.of("strait.topics.0.include", "orders"));
        assertThat(filter.shouldReplicateTopic("orders")).isTrue();
    }

    @Test
    void otherConnectorPropertiesAreIgnored() {
        SelectionTopicFilter filter = new SelectionTopicFilter();
        filter.configure(Map.of("strait.topics.0.include", "orders", "strait.groups.0.include", ".*",
                "topics", ".*", "topics.exclude", "orders", "tasks.max", "4"));
        assertThat(filter.shouldReplicateTopic("orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("payments")).isFalse();
    }

    @Test
    void reconfiguringReplacesTheSelections() {
        SelectionTopicFilter filter = filter(selection(List.of("orders"), List.of()));
        filter.configure(Map.of("strait.topics.0.include", "payments"));
        assertThat(filter.shouldReplicateTopic("payments")).isTrue();
        assertThat(filter.shouldReplicateTopic("orders")).isFalse();
    }

    @Test
    void withoutSelectionsConfigurationFails() {
        SelectionTopicFilter filter = new SelectionTopicFilter();
        assertThatThrownBy(() -> filter.configure(Map.of("strait.groups.0.include", ".*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("strait.topics.0.include");
    }

    @Test
    void literalPrefixSelectsUpstreamCopies() {
        Selection own = selection(List.of("orders.*"), List.of("orders-tmp"));
        SelectionTopicFilter filter = filter(own, own.withLiteralPrefix("a."), own.withLiteralPrefix("b.a."));
        assertThat(filter.shouldReplicateTopic("a.orders")).isTrue();
        assertThat(filter.shouldReplicateTopic("b.a.orders-eu")).isTrue();
        assertThat(filter.shouldReplicateTopic("a.orders-tmp")).isFalse();
        assertThat(filter.shouldReplicateTopic("axorders")).as("the prefix is literal").isFalse();
        assertThat(filter.shouldReplicateTopic("b.orders")).isFalse();
    }
}
