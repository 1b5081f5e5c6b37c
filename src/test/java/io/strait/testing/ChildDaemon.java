package io.strait.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** A Strait daemon in its own JVM, as {@code bin/strait run FILE} starts it, that a test can SIGKILL. */
public final class ChildDaemon {

    private final Process process;
    private final int httpPort;
    private final int internalPort;
    private final Path log;

    private ChildDaemon(Process process, int httpPort, int internalPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.internalPort = internalPort;
        this.log = log;
    }

    /**
     * Starts {@code strait run topology} and waits until it serves HTTP. The topology must leave
     * {@code http.port} unset: the port comes from STRAIT_HTTP_PORT, as in Kubernetes.
     */
    public static ChildDaemon start(Path topology, Path log, boolean scaleOut) throws Exception {
        return start(topology, log, scaleOut, Map.of());
    }

    /** As {@link #start(Path, Path, boolean)}, with more environment variables (secrets for ${VAR}). */
    public static ChildDaemon start(Path topology, Path log, boolean scaleOut, Map<String, String> extraEnv)
            throws Exception {
        return start(topology, log, scaleOut, extraEnv, List.of());
    }

    /** As {@link #start(Path, Path, boolean, Map)}, with more JVM options (log levels, for instance). */
    public static ChildDaemon start(Path topology, Path log, boolean scaleOut, Map<String, String> extraEnv,
                                    List<String> jvmOptions) throws Exception {
        ChildDaemon daemon = launch(topology, log, scaleOut, extraEnv, jvmOptions);
        daemon.awaitServing();
        return daemon;
    }

    /**
     * As {@link #start(Path, Path, boolean, Map, List)}, one daemon per log, their JVMs started side by
     * side; waits until every one serves HTTP.
     */
    public static List<ChildDaemon> startTogether(Path topology, List<Path> logs, boolean scaleOut,
                                                  Map<String, String> extraEnv, List<String> jvmOptions) throws Exception {
        List<ChildDaemon> daemons = new java.util.ArrayList<>();
        for (Path log : logs) {
            daemons.add(launch(topology, log, scaleOut, extraEnv, jvmOptions));
        }
        for (ChildDaemon daemon : daemons) {
            daemon.awaitServing();
        }
        return daemons;
    }

    private static ChildDaemon launch(Path topology, Path log, boolean scaleOut, Map<String, String> extraEnv,
                                      List<String> jvmOptions) throws Exception {
        int[] ports = ChildProcesses.freePorts(2);
        int http = ports[0];
        int internal = ports[1];
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("STRAIT_HTTP_PORT", Integer.toString(http));
        if (scaleOut) {
            env.putAll(Map.of("STRAIT_SCALE_OUT", "true", "STRAIT_INTERNAL_PORT", Integer.toString(internal),
                    "STRAIT_ADVERTISED_HOST", "127.0.0.1"));
        }
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx512m"));
        options.addAll(jvmOptions);
        Process process = ChildProcesses.java(options, "io.strait.cli.StraitCommand",
                List.of("run", topology.toString()), env, log);
        return new ChildDaemon(process, http, internal, log);
    }

    private void awaitServing() {
        await("daemon serving").atMost(Duration.ofSeconds(60))
                .ignoreExceptionsMatching(e -> e instanceof java.io.IOException).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("daemon exited:\n" + Files.readString(log));
                    }
                    return Http.get(httpPort, "/healthy").status() == 200;
                });
    }

    public int httpPort() {
        return httpPort;
    }

    /** The Connect worker id of this instance for a link, with scale-out on. */
    public String workerId(String link) {
        return "127.0.0.1:" + internalPort + "/" + link;
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: no shutdown hook runs, nothing is committed or closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the graceful stop. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
        return process.exitValue();
    }
}
