package io.strait.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * {@code -o text|json}, shared by {@code validate}, {@code plan}, {@code verify} and {@code status}
 * (kubectl's and kcctl's {@code -o}). JSON goes to stdout as one document; messages stay on stderr.
 */
final class OutputFormat {

    enum Format { text, json }

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json",
            description = "Output format: text (a table) or json (one document on stdout) (default: ${DEFAULT-VALUE}).")
    Format format = Format.text;

    boolean json() {
        return format == Format.json;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Prints {@code document} (maps, lists, strings, numbers) as indented JSON and a newline. */
    static void print(PrintWriter out, Object document) {
        try {
            out.println(MAPPER.writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
