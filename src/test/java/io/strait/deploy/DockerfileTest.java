package io.strait.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile, read as text (no container engine here): OCI labels, the version equal to
 * pom.xml's, and one base image for both stages, replaceable by a digest-pinned one.
 */
class DockerfileTest {

    @Test
    void labelsTheImageTheOciWay() throws IOException {
        String dockerfile = Files.readString(Project.dir().resolve("Dockerfile"));
        String joined = dockerfile.replace("\\\n", " ");
        Map<String, String> labels = new LinkedHashMap<>();
        Matcher label = Pattern.compile("(org\\.opencontainers\\.image\\.[a-z.]+)=\"([^\"]*)\"").matcher(joined);
        while (label.find()) {
            labels.put(label.group(1), label.group(2));
        }
        assertThat(labels).containsKeys("org.opencontainers.image.title", "org.opencontainers.image.description",
                "org.opencontainers.image.version", "org.opencontainers.image.revision",
                "org.opencontainers.image.created", "org.opencontainers.image.licenses",
                "org.opencontainers.image.base.name");
        assertThat(labels).containsEntry("org.opencontainers.image.licenses", "Apache-2.0")
                .containsEntry("org.opencontainers.image.version", "${VERSION}")
                .containsEntry("org.opencontainers.image.base.name", "${BASE_IMAGE}");
        assertThat(arg(dockerfile, "VERSION")).as("ARG VERSION in the Dockerfile: keep it equal to pom.xml's version")
                .isEqualTo(Project.version());
        assertThat(Files.readString(Project.dir().resolve("LICENSE"))).startsWith("\n                                 Apache License\n                           Version 2.0, January 2004")
                .contains("END OF TERMS AND CONDITIONS");
    }

    @Test
    void bothStagesUseTheOneBaseImage() throws IOException {
        String dockerfile = Files.readString(Project.dir().resolve("Dockerfile"));
        List<String> froms = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(froms).containsExactly("FROM ${BASE_IMAGE} AS unpack", "FROM ${BASE_IMAGE}");
        assertThat(arg(dockerfile, "BASE_IMAGE")).matches("eclipse-temurin:25-jre(@sha256:[0-9a-f]{64})?");
    }

    private static String arg(String dockerfile, String name) {
        Matcher arg = Pattern.compile("(?m)^ARG " + name + "=(\\S+)$").matcher(dockerfile);
        assertThat(arg.find()).as("ARG " + name + "=... in the Dockerfile").isTrue();
        return arg.group(1);
    }
}
