package io.strait.cli;

import io.strait.http.StatusReport;
import io.strait.replication.LinkReplicator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code strait status [--url URL] [-o json]}: a running daemon's {@code /status} as a table, or as the
 * daemon sends it. Exit code 0 when every link runs (RUNNING, or DEGRADED: running but not doing its
 * whole job, as {@code /ready} counts it), {@link ExitCodes#NOT_RUNNING} (4) when any link is STARTING,
 * FAILING or STOPPED (or DEGRADED, with {@code --strict}), 2 when no daemon answers.
 */
@Command(name = "status", description = {"Show a running daemon's links: state, tasks, lag, problems.",
    "Exit code 0 when every link runs (RUNNING or DEGRADED), 4 when any is STARTING, FAILING or STOPPED",
    "(or DEGRADED, with --strict), 2 when no daemon answers."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://localhost:8080",
            description = "The daemon's HTTP address (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--json", description = "The same as -o json: print /status as the daemon sends it.")
    boolean json;

    @CommandLine.Mixin
    OutputFormat output;

    @Option(names = "--strict", description = "Exit code 4 for a DEGRADED link too, not only for one that does not run.")
    boolean strict;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI statusUrl = url.resolve("/status");
        String body;
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(statusUrl)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new UnreachableException(statusUrl + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (java.io.IOException e) {
            throw new UnreachableException("no Strait daemon answers at " + statusUrl + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        StatusReport status = StatusReport.parse(body);
        List<StatusReport.Link> links = orEmpty(status.links());
        int exitCode = links.stream().map(StatusReport.Link::state)
                .allMatch(state -> state == LinkReplicator.State.RUNNING
                        || (!strict && state == LinkReplicator.State.DEGRADED))
                ? ExitCodes.OK : ExitCodes.NOT_RUNNING;
        if (json || output.json()) {
            out.print(body);
            out.flush();
            return exitCode;
        }
        out.println("Topology " + status.topology());
        out.printf("%-24s %-9s %7s %9s  %s%n", "LINK", "STATE", "TASKS", "LAG", "DETAIL");
        for (StatusReport.Link link : links) {
            List<StatusReport.Task> tasks = orEmpty(link.connectors()).stream()
                    .flatMap(c -> orEmpty(c.tasks()).stream()).toList();
            long running = tasks.stream().filter(t -> "RUNNING".equals(t.state())).count();
            String detail = link.detail() == null ? "" : link.detail();
            List<StatusReport.Problem> problems = orEmpty(link.problems());
            if (link.state() == LinkReplicator.State.DEGRADED && !problems.isEmpty()) {
                detail = problems.size() == 1 ? "1 problem, below" : problems.size() + " problems, below";
            }
            out.printf("%-24s %-9s %7s %9s  %s%n", link.link(), link.state(), running + "/" + tasks.size(),
                    link.lag() == null ? "-" : link.lag(), detail);
            // What keeps the link from doing its whole job (DEGRADED), one line each.
            for (StatusReport.Problem problem : problems) {
                out.printf("    ! %s%n", problem.message());
            }
            for (StatusReport.Topic topic : orEmpty(link.topics())) {
                long lost = topic.lostAtSource();
                long recreated = topic.recreatedAtSource();
                long partitions = topic.partitions();
                out.printf("    %s -> %s: %d partition%s, lag %d%s%s%n", topic.topic(), topic.target(), partitions,
                        partitions == 1 ? "" : "s", topic.lag(),
                        lost > 0 ? ", " + lost + (lost == 1 ? " record" : " records") + " lost at the source" : "",
                        recreated > 0 ? ", re-created at the source " + recreated + (recreated == 1 ? " time" : " times") : "");
            }
        }
        StatusReport.Reload reload = status.reload() == null ? new StatusReport.Reload(0, 0, null, List.of())
                : status.reload();
        out.printf("Reloads: %d applied, %d refused%n", reload.applied(), reload.refused());
        for (String error : orEmpty(reload.lastErrors())) {
            out.println("  last reload refused: " + error);
        }
        out.flush();
        return exitCode;
    }

    /** A list the daemon left out (an older or newer daemon) reads as empty. */
    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
