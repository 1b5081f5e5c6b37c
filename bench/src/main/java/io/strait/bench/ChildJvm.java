package io.strait.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Java process started by the benchmark: a broker or a replicator. Its own process, so that
 * its peak resident memory ({@code VmHWM} in {@code /proc/<pid>/status}) and CPU time are its own.
 */
final class ChildJvm implements AutoCloseable {

    /** Every child still running, so that an interrupted benchmark leaves no process behind. */
    private static final Set<ChildJvm> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(c -> c.process.destroyForcibly()),
                "bench-children-cleanup"));
    }

    final String name;
    final Process process;
    /** {@link System#nanoTime()} just before the process was started. */
    final long launchNanos;
    /** Wall-clock time of the launch, to place the child's log lines. */
    final long launchEpochMillis;
    final Path log;

    private ChildJvm(String name, Process process, long launchNanos, long launchEpochMillis, Path log) {
        this.name = name;
        this.process = process;
        this.launchNanos = launchNanos;
        this.launchEpochMillis = launchEpochMillis;
        this.log = log;
    }

    /** Starts {@code java OPTIONS -cp CLASSPATH MAIN ARGS}, stdout and stderr into {@code log}. */
    static ChildJvm start(String name, String classpath, List<String> jvmOptions, String mainClass, List<String> args,
                          Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return start(name, command, Map.of(), log, classpath);
    }

    /**
     * Starts a script that execs a JVM (bin/strait), with {@code env} as its only STRAIT_ and KAFKA_
     * variables; the process is then that JVM (its pid, CPU and memory).
     */
    static ChildJvm startScript(String name, List<String> command, Map<String, String> env, Path log)
            throws IOException {
        return start(name, command, env, log, null);
    }

    private static ChildJvm start(String name, List<String> command, Map<String, String> env, Path log,
                                  String classpath) throws IOException {
        Files.createDirectories(log.getParent());
        String shown = String.join(" ", command);
        if (classpath != null) {
            shown = shown.replace(classpath, "<classpath>");
        }
        String envShown = env.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\" ")
                .sorted().collect(java.util.stream.Collectors.joining());
        Files.writeString(log, envShown + shown + "\n\n");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("STRAIT_") || k.startsWith("KAFKA_"));
        builder.environment().putAll(env);
        long launchEpoch = System.currentTimeMillis();
        long launch = System.nanoTime();
        Process process = builder.start();
        ChildJvm child = new ChildJvm(name, process, launch, launchEpoch, log);
        RUNNING.add(child);
        return child;
    }

    /** Runs a JVM to completion; fails with its log when it exits non-zero. */
    static void run(String name, String classpath, List<String> jvmOptions, String mainClass, List<String> args,
                    Path log, Duration timeout) throws Exception {
        try (ChildJvm child = start(name, classpath, jvmOptions, mainClass, args, log)) {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s; see " + log);
            }
            if (child.process.exitValue() != 0) {
                throw new IllegalStateException(name + " failed (exit " + child.process.exitValue() + "):\n"
                        + Files.readString(log));
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    double secondsSinceLaunch() {
        return (System.nanoTime() - launchNanos) / 1e9;
    }

    /** Peak resident set size so far, in KiB (Linux {@code VmHWM}); empty once the process is gone. */
    OptionalLong peakRssKib() {
        return procStatus("VmHWM:");
    }

    /** Resident set size now, in KiB. */
    OptionalLong rssKib() {
        return procStatus("VmRSS:");
    }

    /** User plus system CPU time of the whole process so far. */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private OptionalLong procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return OptionalLong.of(Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return OptionalLong.empty();
    }

    /** SIGTERM, then SIGKILL after {@code grace}. Returns how long the clean stop took, or empty if killed. */
    Map.Entry<Boolean, Duration> stop(Duration grace) throws InterruptedException {
        long begin = System.nanoTime();
        process.destroy();
        boolean clean = process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        if (!clean) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        RUNNING.remove(this);
        return Map.entry(clean, Duration.ofNanos(System.nanoTime() - begin));
    }

    /** SIGKILL, as a crash would: no shutdown hook runs. Waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        RUNNING.remove(this);
    }

    /** The last lines of the log, for error messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RUNNING.remove(this);
    }
}
