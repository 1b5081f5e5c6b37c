package io.strait.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/strait runs the Java of JAVA_HOME, as Kafka's scripts do (kafka-run-class.sh), and says so
 * before anything else when that Java cannot run Strait. (That it runs it: DistributionIT, whose
 * Java 25 from JAVA_HOME keeps an AOT cache where PATH's Java would keep a class-data archive.)
 */
class BinStraitJavaTest {

    @TempDir
    Path dir;

    @Test
    void refusesAJavaHomeWithoutJava() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("not-a-jdk"));
        String output = refused(empty);
        assertThat(output).startsWith("strait: JAVA_HOME=" + empty + " has no bin/java: set it to a Java 17 or later home");
    }

    @Test
    void refusesAJavaOlderThan17() throws Exception {
        Path jdk11 = Files.createDirectories(dir.resolve("jdk-11/bin"));
        Path java = Files.writeString(jdk11.resolve("java"), "#!/bin/sh\necho \"a Java 11 ran: $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(jdk11.getParent().resolve("release"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"11.0.2\"\n");
        String output = refused(jdk11.getParent());
        assertThat(output).contains("is Java 11; Strait needs Java 17 or later (set JAVA_HOME to one)")
                .doesNotContain("a Java 11 ran");
    }

    private static String refused(Path javaHome) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bin/strait", "--version").redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("STRAIT_"));
        builder.environment().put("JAVA_HOME", javaHome.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(ExitCodes.INVALID_INPUT);
        return output;
    }
}
