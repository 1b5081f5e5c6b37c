package io.strait;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rooms of ARCHITECTURE.md: a package of main code imports only packages below it, so no
 * import runs back up (cli over http and demo, over daemon, over failover, over replication, over
 * topology).
 */
class LayersTest {

    private static final Map<String, Integer> RANK = Map.of(
            "topology", 0, "replication", 1, "failover", 2, "daemon", 3, "http", 4, "demo", 4, "cli", 5);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.strait\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void noImportRunsBackUp() throws IOException {
        List<String> upward = new ArrayList<>();
        Path root = Path.of("src/main/java/io/strait");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String room = root.relativize(file).getName(0).toString();
                assertThat(RANK).as("a room of ARCHITECTURE.md: " + room).containsKey(room);
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String imported = m.group(1);
                    if (!imported.equals(room) && RANK.getOrDefault(imported, 99) >= RANK.get(room)) {
                        upward.add(root.relativize(file) + " imports io.strait." + imported);
                    }
                }
            }
        }
        assertThat(upward).isEmpty();
    }

    @Test
    void kafkasPackageHoldsOnlyTheBridgesAndTheCheckpointGuard() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/java/org/apache/kafka/connect/mirror"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("StraitMirrorAccess.java", "MirrorSourceTaskParts.java",
                            "StraitCheckpointTask.java");
        }
    }
}
