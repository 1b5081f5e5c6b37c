package io.strait.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starting JVMs with the test class path, for brokers and daemons that a test can kill. */
public final class ChildProcesses {

    /** Every child started, so that none outlives the test JVM, whatever a test did. */
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly),
                "kill-test-children"));
    }

    private ChildProcesses() {
    }

    /** A free TCP port on the loopback address. */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /**
     * {@code n} distinct free TCP ports: every socket stays open until all are picked (two calls of
     * {@link #freePort} in a row can return the same port, as a broker's listener and controller once
     * got).
     */
    public static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket socket = new ServerSocket(0);
                socket.setReuseAddress(true);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a listening socket: nothing to do.
                }
            }
        }
    }

    /** Starts {@code java -cp <test class path> mainClass args}, its output going to {@code log}. */
    public static Process java(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> env,
                               Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        STARTED.add(process);
        return process;
    }
}
