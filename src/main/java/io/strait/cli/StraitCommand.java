package io.strait.cli;

import io.strait.topology.Problem;
import io.strait.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code strait}: the one entry point; each job is a sub-command. */
// scope = INHERIT: every sub-command has -h/--help and -V/--version too, and the exit code list.
@Command(name = "strait", mixinStandardHelpOptions = true, versionProvider = StraitCommand.Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Cross-cluster Kafka replication on MirrorMaker 2.",
        subcommands = {ValidateCommand.class, PlanCommand.class, RunCommand.class, StatusCommand.class, VerifyCommand.class,
            OffsetsCommand.class, FailoverCommand.class, FailbackCommand.class,
            DemoCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:invalid input (topology, arguments)", "2:cannot reach or start what is needed",
            "3:failure while running (verify: records lost or mismatched; offsets: records would be missed)",
            "4:status: some link does not run (STARTING, FAILING, STOPPED; DEGRADED with --strict)"})
public final class StraitCommand implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        // Process-wide, so here: a Kafka Connect herder that dies ends its link only, not the process.
        io.strait.replication.HerderExitTrap.install();
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line with the given streams; returns its exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new StraitCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        java.util.List<CommandLine> all = new java.util.ArrayList<>(commandLine.getSubcommands().values());
        all.add(commandLine);
        for (CommandLine command : all) {
            command.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.INVALID_INPUT);
            command.getCommandSpec().exitCodeOnExecutionException(ExitCodes.FAILURE);
        }
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        return commandLine.execute(args);
    }

    /** Maps a failure's root cause to one human sentence and an exit code. */
    static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
            PrintWriter err = commandLine.getErr();
            boolean verbose = parsed.hasMatchedOption("--verbose")
                    || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            int code;
            if (e instanceof TopologyException topology) {
                topology.problems().forEach(p -> err.println(p));
                long errors = topology.problems().stream().filter(Problem::isError).count();
                err.println(errors + " error" + (errors == 1 ? "" : "s") + ": nothing was started.");
                code = ExitCodes.INVALID_INPUT;
            } else if (e instanceof UnreachableException) {
                err.println("strait: " + e.getMessage());
                code = ExitCodes.UNREACHABLE;
            } else if (e instanceof IllegalArgumentException) {
                err.println("strait: " + e.getMessage());
                code = ExitCodes.INVALID_INPUT;
            } else {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                err.println("strait: failed: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                        + (verbose ? "" : " (run with --verbose for the stack trace)"));
                code = ExitCodes.FAILURE;
            }
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return code;
        }
    }

    /** {@code strait X, Kafka Y}: X is the Maven project version, written into a resource at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"strait " + version() + ", Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion()};
        }

        /** The project version from {@code io/strait/version.properties} (filtered by Maven's resources plugin). */
        static String version() {
            java.util.Properties properties = new java.util.Properties();
            try (java.io.InputStream in = StraitCommand.class.getResourceAsStream("/io/strait/version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (java.io.IOException e) {
                // The resource is in the jar; without it the version is unknown, as below.
            }
            String version = properties.getProperty("version", "");
            return version.isEmpty() || version.startsWith("${") ? "(development build)" : version;
        }
    }
}
