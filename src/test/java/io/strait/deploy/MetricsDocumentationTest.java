package io.strait.deploy;

import io.strait.http.StraitMetrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's metric table lists every metric Strait defines, with its type and labels, and no other. */
class MetricsDocumentationTest {

    @Test
    void theReadmeTableListsEveryMetricWithItsTypeAndLabels() throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        for (String line : Files.readAllLines(Project.dir().resolve("README.md"))) {
            if (line.startsWith("| `strait_")) {
                String[] cells = line.split("\\|", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                // | `name` | type | unit | labels | meaning |
                rows.put(cells[1].replace("`", ""), java.util.Arrays.copyOfRange(cells, 1, cells.length));
            }
        }
        for (StraitMetrics.Definition metric : StraitMetrics.DEFINITIONS) {
            String[] row = rows.remove(metric.name());
            assertThat(row).as(metric.name() + " in the README's metric table").isNotNull();
            assertThat(row[1]).as(metric.name() + "'s type").isEqualTo(metric.type().name().toLowerCase(Locale.ROOT));
            if (!metric.unit().isEmpty()) {
                assertThat(row[2]).as(metric.name() + "'s unit").isEqualTo(metric.unit());
            }
            String labels = row[3];
            for (String label : metric.labels()) {
                boolean shorthand = (label.equals("link") || label.equals("source") || label.equals("target"))
                        && labels.matches("(^|.*\\W)link(\\W.*|$)")
                        || (label.equals("source_topic") || label.equals("target_topic"))
                        && labels.matches("(^|.*\\W)topic(\\W.*|$)");
                assertThat(shorthand || labels.contains("`" + label + "`")).as(metric.name() + " label " + label
                        + " in '" + labels + "'").isTrue();
            }
        }
        assertThat(rows.keySet()).as("rows of metrics Strait does not define").isEmpty();
    }
}
