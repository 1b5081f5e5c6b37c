package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigResolveOptions;
import io.strait.topology.TopologySchema.Block;
import io.strait.topology.TopologySchema.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The schema of Strait's keys and reference.conf, where every default lives, list the same keys. */
class TopologySchemaTest {

    private static final Config REFERENCE = SettingReader.reference()
            .resolve(ConfigResolveOptions.noSystem().setAllowUnresolved(true));

    @ParameterizedTest
    @EnumSource(Block.class)
    void referenceConfDefaultsExactlyTheKeysTheSchemaSaysHaveDefaults(Block block) {
        Set<String> inReference = new TreeSet<>(REFERENCE.getConfig(block.defaultsPath).root().keySet());
        Set<String> inSchema = TopologySchema.KEYS.stream().filter(k -> k.block() == block && k.defaulted())
                .map(Key::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(inReference).as("keys of %s in reference.conf", block.defaultsPath).isEqualTo(inSchema);
    }

    @Test
    void everyDefaultInReferenceConfReadsAsItsType() {
        Findings findings = new Findings("reference.conf");
        SettingReader reader = new SettingReader(findings, REFERENCE);
        for (Key<?> key : TopologySchema.KEYS) {
            if (key.defaulted()) {
                Config block = REFERENCE.getConfig(key.block().defaultsPath);
                assertThat(reader.read(block, key.name(), key.block().configName, key.type())).as(key.path()).isNotNull();
            }
        }
        assertThat(findings.all()).isEmpty();
    }

    @Test
    void referenceConfDescribesEveryKeyWithoutADefault() throws IOException {
        String text;
        try (InputStream in = TopologySchemaTest.class.getClassLoader().getResourceAsStream("reference.conf")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<Key<?>> required = TopologySchema.KEYS.stream().filter(k -> !k.defaulted()).collect(Collectors.toSet());
        assertThat(required).extracting(Key::name).containsExactlyInAnyOrder("bootstrap-servers", "type", "source",
                "sources", "target", "targets", "clusters");
        assertThat(required).allSatisfy(key -> assertThat(text).as("a comment in reference.conf showing %s", key.name())
                .containsPattern("#.*\\b" + Pattern.quote(key.name()) + " = "));
    }

    @Test
    void everyFlowTypeHasItsEndpointsInTheOrderOfTheFlowTable() {
        assertThat(TopologySchema.endpoints(FlowType.LINK)).extracting(Key::name).containsExactly("source", "target");
        assertThat(TopologySchema.endpoints(FlowType.FAN_OUT)).extracting(Key::name).containsExactly("source", "targets");
        assertThat(TopologySchema.endpoints(FlowType.FAN_IN)).extracting(Key::name).containsExactly("sources", "target");
        assertThat(TopologySchema.endpoints(FlowType.PIPE)).extracting(Key::name).containsExactly("clusters");
        assertThat(TopologySchema.endpoints(FlowType.BIDIRECTIONAL)).extracting(Key::name).containsExactly("clusters");
    }

    @Test
    void keyNamesAreUniqueWithinABlock() {
        for (Block block : Block.values()) {
            assertThat(TopologySchema.KEYS.stream().filter(k -> k.block() == block).map(Key::name))
                    .as(block.configName).doesNotHaveDuplicates();
        }
    }
}
