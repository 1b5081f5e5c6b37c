package io.strait.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code strait status} against a daemon that answers the {@code /status} of
 * {@code src/test/resources/status/status.json} (what {@code StatusServerTest} pins the server to
 * write): the table, {@code --json} / {@code -o json} passed through as sent, and the exit code
 * (0 when every link runs or is DEGRADED, 4 otherwise or with {@code --strict}).
 */
class StatusCommandTest {

    private static final Path STATUS = Path.of("src/test/resources/status/status.json");

    private HttpServer daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop(0);
            daemon = null;
        }
    }

    private static String[] concat(String[] options, String... more) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.concat(java.util.stream.Stream.of("status"),
                java.util.Arrays.stream(options)), java.util.Arrays.stream(more)).toArray(String[]::new);
    }

    @Test
    void printsEachLinkItsTopicsProblemsAndTheReloads() throws IOException {
        CommandResult result = CommandResult.run("status", "--url", serve(200, Files.readString(STATUS)));
        assertThat(result.exitCode()).as("b->a FAILING, d->a STARTING: " + result).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(result.out()).as(result.toString()).isEqualTo("""
                Topology fixed.conf
                LINK                     STATE       TASKS       LAG  DETAIL
                a->b                     RUNNING       1/2        12 \s
                    orders -> a.orders: 2 partitions, lag 12, 2 records lost at the source, re-created at the source 1 time
                    payments -> a.payments: 1 partition, lag 0
                b->a                     FAILING       0/0         4  cannot reach cluster a at a:9092: no answer within 5 s
                    payments -> b_payments: 1 partition, lag 4
                b->c                     DEGRADED      1/1        30  1 problem, below
                    ! target topic ledger: 1 partition on c, 3 on b
                    ledger -> ledger: 1 partition, lag 30
                d->a                     STARTING      0/0         - \s
                Reloads: 2 applied, 1 refused
                  last reload refused: fixed.conf:3: Invalid value x for tasks: write a number
                """.replace("\n", System.lineSeparator()));
        assertThat(result.err()).as(result.toString()).isEmpty();
    }

    @Test
    void jsonPrintsTheBodyAsSent() throws IOException {
        String body = Files.readString(STATUS);
        for (String[] json : new String[][] {{"--json"}, {"-o", "json"}}) {
            CommandResult result = CommandResult.run(concat(json, "--url", serve(200, body)));
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
            assertThat(result.out()).as(result.toString()).isEqualTo(body);
            stop();
        }
    }

    @Test
    void unknownFieldsFromANewerDaemonAreIgnored() throws IOException {
        String body = Files.readString(STATUS).replaceFirst("\\{", "{ \"newField\" : { \"x\" : [ 1 ] },")
                .replace("\"herderStarts\"", "\"newLinkField\" : true, \"herderStarts\"");
        CommandResult result = CommandResult.run("status", "--url", serve(200, body));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(result.out()).as(result.toString()).startsWith("Topology fixed.conf").contains("Reloads: 2 applied");
    }

    @Test
    void exitCodeZeroWhenEveryLinkRunsOrIsDegradedAndFourForDegradedWhenStrict() throws IOException {
        String body = Files.readString(STATUS).replace("\"FAILING\"", "\"RUNNING\"").replace("\"STARTING\"", "\"RUNNING\"");
        CommandResult result = CommandResult.run("status", "--url", serve(200, body));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).as(result.toString()).containsPattern("b->c +DEGRADED");
        stop();
        result = CommandResult.run("status", "--strict", "--url", serve(200, body));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.NOT_RUNNING);
    }

    private String serve(int code, String body) throws IOException {
        daemon = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        daemon.createContext("/status", exchange -> {
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        daemon.start();
        return "http://127.0.0.1:" + daemon.getAddress().getPort();
    }
}
