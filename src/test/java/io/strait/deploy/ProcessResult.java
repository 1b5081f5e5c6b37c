package io.strait.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of an external program, with what it printed on each stream (shown whole in failures). */
record ProcessResult(List<String> command, int exitCode, String out, String err) {

    /**
     * Runs {@code command} in {@code dir} with the environment of this JVM plus {@code env}, and waits
     * at most {@code timeout}; a program still running then is killed and the test fails.
     */
    static ProcessResult run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("strait-process", ".out");
            Path err = Files.createTempFile("strait-process", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(command + " did not finish within " + timeout + "\n--- stdout ---\n"
                            + Files.readString(out, StandardCharsets.UTF_8) + "--- stderr ---\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new ProcessResult(List.copyOf(command), process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command, e);
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command) + "\nexit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n"
                + err;
    }
}
