package io.strait.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line, with what it printed on each stream (shown whole in failures). */
public record CommandResult(int exitCode, String out, String err) {

    public static CommandResult run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StraitCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandResult(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit code " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}
