package io.strait.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        JsonNode status = new ObjectMapper().readTree(body);
        int exitCode = java.util.stream.StreamSupport.stream(status.path("links").spliterator(), false)
                .map(l -> l.path("state").asText())
                .allMatch(state -> state.equals("RUNNING") || (!strict && state.equals("DEGRADED")))
                ? ExitCodes.OK : ExitCodes.NOT_RUNNING;
        if (json || output.json()) {
            out.print(body);
            out.flush();
            return exitCode;
        }
        out.println("Topology " + status.path("topology").asText());
        out.printf("%-24s %-9s %7s %9s  %s%n", "LINK", "STATE", "TASKS", "LAG", "DETAIL");
        for (JsonNode link : status.path("links")) {
            int running = 0;
            int all = 0;
            for (JsonNode connector : link.path("connectors")) {
                for (JsonNode task : connector.path("tasks")) {
                    all++;
                    if ("RUNNING".equals(task.path("state").asText())) {
                        running++;
                    }
                }
            }
            String lag = link.has("lag") ? link.path("lag").asText() : "-";
            String detail = link.path("detail").isNull() ? "" : link.path("detail").asText();
            int problems = link.path("problems").size();
            if ("DEGRADED".equals(link.path("state").asText()) && problems > 0) {
                detail = problems == 1 ? "1 problem, below" : problems + " problems, below";
            }
            out.printf("%-24s %-9s %7s %9s  %s%n", link.path("link").asText(), link.path("state").asText(),
                    running + "/" + all, lag, detail);
            // What keeps the link from doing its whole job (DEGRADED), one line each.
            for (JsonNode problem : link.path("problems")) {
                out.printf("    ! %s%n", problem.path("message").asText());
            }
            for (JsonNode topic : link.path("topics")) {
                long lost = topic.path("lostAtSource").asLong();
                long recreated = topic.path("recreatedAtSource").asLong();
                int partitions = topic.path("partitions").asInt();
                out.printf("    %s -> %s: %d partition%s, lag %d%s%s%n", topic.path("topic").asText(),
                        topic.path("target").asText(), partitions, partitions == 1 ? "" : "s", topic.path("lag").asLong(),
                        lost > 0 ? ", " + lost + (lost == 1 ? " record" : " records") + " lost at the source" : "",
                        recreated > 0 ? ", re-created at the source " + recreated + (recreated == 1 ? " time" : " times") : "");
            }
        }
        JsonNode reload = status.path("reload");
        out.printf("Reloads: %d applied, %d refused%n", reload.path("applied").asLong(), reload.path("refused").asLong());
        for (JsonNode error : reload.path("lastErrors")) {
            out.println("  last reload refused: " + error.asText());
        }
        out.flush();
        return exitCode;
    }
}
