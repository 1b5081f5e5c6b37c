package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A topology file as HOCON text, before any key is read: the byte checks (size, NUL, UTF-8), the parse
 * by typesafe-config, and its syntax and include errors said plainly at {@code FILE:LINE}, with what to
 * write instead. Every failure is a {@link TopologyException} with one {@link Problem}.
 */
final class TopologyText {

    /** Larger topology files are refused unread: typesafe-config needs tens of seconds for a few MiB. */
    static final int MAX_FILE_SIZE = 1024 * 1024;
    /** Deeper nesting of { and [ is reported when the parser runs out of stack. */
    static final int MAX_NESTING = 100;
    private static final Pattern INCLUDE = Pattern.compile("^\\s*(?:[^#\"/]*[{,]\\s*)?include\\b");
    private static final Pattern RESERVED =
            Pattern.compile("('.') \\(Reserved character '.' is not allowed outside quotes\\)");
    /** How typesafe-config says that include url(...) failed. */
    private static final String URL_FAILURE = "Cannot load config from URL: ";
    private static final Pattern LONG_WORD = Pattern.compile("\\S{201,}");
    private static final ConfigParseOptions HOCON = ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF);

    /** A parsed topology with the text it came from (for the location of a later stack overflow). */
    record Parsed(Config config, String text) {
    }

    private TopologyText() {
    }

    /** Reads and parses one file: a directory, a missing file, more than 1 MiB or bytes that are not UTF-8 are refused. */
    static Parsed parse(Path file) throws TopologyException {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw refused(name, "Is a directory: give the path of a topology file, for example topologies/link.conf");
        }
        if (!Files.isRegularFile(file)) {
            throw refused(name, "No such file: give the path of a topology file, for example topologies/link.conf");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            bytes = size > MAX_FILE_SIZE ? null : Files.readAllBytes(file);
            if (bytes == null || bytes.length > MAX_FILE_SIZE) {
                long actual = bytes == null ? size : bytes.length;
                throw refused(name + ":1", "Too large for a topology: " + actual + " bytes, over the limit of 1 MiB ("
                        + MAX_FILE_SIZE + " bytes); is this the right file?");
            }
        } catch (IOException e) {
            throw refused(name, "Cannot read the file: " + (e instanceof AccessDeniedException
                    ? "permission denied" : e.getClass().getSimpleName() + " " + e.getMessage()));
        }
        String text = text(bytes, name);
        try {
            return new Parsed(ConfigFactory.parseFile(file.toFile(), HOCON.setAllowMissing(false)), text);
        } catch (ConfigException.IO e) {
            throw new TopologyException(List.of(includeProblem(e, e.origin() != null
                    ? e.origin().description().replaceFirst(": \\d+$", "") : "", file, text)));
        } catch (ConfigException.BugOrBroken e) {
            if (e.getMessage() == null || !e.getMessage().startsWith(URL_FAILURE)) {
                throw e;
            }
            throw new TopologyException(List.of(includeProblem(e, e.getMessage().substring(URL_FAILURE.length()),
                    file, text)));
        } catch (ConfigException e) {
            throw new TopologyException(List.of(parseProblem(e, name, text)));
        } catch (StackOverflowError e) {
            throw new TopologyException(List.of(tooDeep(name, text)));
        }
    }

    /** Parses a topology given as text; {@code description} stands for the file name in locations. */
    static Parsed parse(String text, String description) throws TopologyException {
        try {
            return new Parsed(ConfigFactory.parseString(text, HOCON.setOriginDescription(description)), text);
        } catch (ConfigException e) {
            throw new TopologyException(List.of(parseProblem(e, description, text)));
        } catch (StackOverflowError e) {
            throw new TopologyException(List.of(tooDeep(description, text)));
        }
    }

    private static TopologyException refused(String location, String message) {
        return new TopologyException(List.of(Problem.error(location, message)));
    }

    /**
     * The file as text, or an error where it stops being text: a NUL byte or bytes that are not UTF-8
     * (a binary file, a UTF-16 file) would otherwise reach the parser and come back as garbage in a message.
     */
    private static String text(byte[] bytes, String name) throws TopologyException {
        int nul = -1;
        for (int i = 0; i < bytes.length && nul < 0; i++) {
            nul = bytes[i] == 0 ? i : -1;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CoderResult result = decoder.decode(in, out, true);
        int malformed = result.isError() ? in.position() : -1;
        if (nul >= 0 && (malformed < 0 || nul < malformed)) {
            throw refused(name + ":" + lineAt(bytes, nul), "Not a text file: it holds a NUL byte (line "
                    + lineAt(bytes, nul) + "); a topology is HOCON text saved as UTF-8. Is this the right file?");
        }
        if (malformed >= 0) {
            throw refused(name + ":" + lineAt(bytes, malformed), String.format(Locale.ROOT,
                    "Not a text file: byte 0x%02X (line %d) is not UTF-8; a topology is HOCON text saved as UTF-8."
                    + " Is this the right file?", bytes[malformed] & 0xff, lineAt(bytes, malformed)));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            line += bytes[i] == '\n' ? 1 : 0;
        }
        return line;
    }

    /** A failed include (a missing file, an unreachable URL), at the line of the include. */
    private static Problem includeProblem(ConfigException e, String target, Path file, String text) {
        String[] lines = text.split("\n", -1);
        int line = 0;
        for (int i = 0; i < lines.length && line == 0; i++) {
            line = INCLUDE.matcher(lines[i]).find() && !target.isEmpty() && lines[i].contains(target) ? i + 1 : 0;
        }
        for (int i = 0; i < lines.length && line == 0; i++) {
            line = INCLUDE.matcher(lines[i]).find() ? i + 1 : 0;
        }
        String reason = (e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                : stripOrigin(e)).replaceAll("(?:[\\w$]+\\.)*\\w*Exception: ", "");
        if (reason.startsWith("resource not found on classpath") && line > 0
                && !lines[line - 1].contains("classpath(")) {
            Path beside = file.getParent() == null ? Path.of(target) : file.getParent().resolve(target);
            reason = "there is no file " + beside + " (nor " + target + " on the class path)";
        }
        String statement = line > 0 ? lines[line - 1] : "";
        String hint = statement.contains("url(") ? "check the URL, and that it can be reached from here"
                : "fix the path (a relative one starts from this file's directory)"
                + (statement.contains("required(") ? ", or drop required(...) if the file may be absent" : "");
        return Problem.error(file + ":" + Math.max(line, 1), printable("Cannot include " + target + ": " + reason
                + "; " + hint));
    }

    /** A HOCON syntax error, said plainly. */
    private static Problem parseProblem(ConfigException e, String name, String text) {
        String where = location(e.origin(), name);
        String message = stripOrigin(e)
                // typesafe-config's advice for Java properties files does not apply to a topology
                .replace(", or you may be able to rename the file .properties rather than .conf)", ")");
        boolean inThisFile = e.origin() == null || e.origin().filename() == null
                || Path.of(e.origin().filename()).equals(Path.of(name));
        Matcher reserved = RESERVED.matcher(message);
        if (message.contains("unescaped newline in quoted strings")) {
            message = "Unterminated string: a string in double quotes ends on the line it starts on; add the closing \""
                    + " (text over several lines goes in triple quotes \"\"\"...\"\"\")";
        } else if (message.contains("triple-quoted string was still open")) {
            message = "Unterminated string: the file ends before the closing \"\"\" of a triple-quoted string";
        } else if (reserved.find()) {
            message = "Unquoted " + reserved.group(1) + ": HOCON reserves it outside quotes; put the value in double"
                    + " quotes, for example topics = [\"orders.*\"]";
        } else if (message.contains("got ':'") || message.contains("token: ':'")) {
            message = "Unquoted ':' in a value: put values that hold ':' in double quotes, for example"
                    + " bootstrap-servers = \"host:9092\"";
        } else if (message.contains("end of file") && inThisFile) {
            int[] open = Brackets.scan(text, Integer.MAX_VALUE).innermostUnclosed();
            if (open != null) {
                char opened = (char) open[0];
                where = name + ":" + open[1];
                message = "Unclosed " + opened + ": the file ends before the " + opened + " of line " + open[1]
                        + " is closed; add the missing " + (opened == '{' ? '}' : ']');
            }
        }
        return Problem.error(where, printable(message));
    }

    /** The parser (or the reader) ran out of stack: brackets nested thousands deep, or a key path of thousands of parts. */
    static Problem tooDeep(String name, String text) {
        int line = Brackets.scan(text, MAX_NESTING).tooDeepAt();
        if (line > 0) {
            return Problem.error(name + ":" + line, "Nested too deeply: { and [ go more than " + MAX_NESTING
                    + " levels deep here; a topology needs a few levels, clusters { a { kafka-clients { ... } } }");
        }
        return Problem.error(name + ":1", "Too complex to read: the parser ran out of stack (a key path of"
                + " thousands of parts, or thousands of += on one key?); write the topology plainly, see topologies/"
                + " for examples");
    }

    /**
     * A message safe to print: control characters escaped, and any run of more than 200 characters without a
     * space (a huge value, a line of garbage) cut to its start and its length.
     */
    static String printable(String message) {
        StringBuilder escaped = new StringBuilder(Math.min(message.length(), 4096));
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') {
                escaped.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return LONG_WORD.matcher(escaped).replaceAll(m -> Matcher.quoteReplacement(
                m.group().substring(0, 60) + "... (" + m.group().length() + " characters)"));
    }

    /** {@code file:line} of a value, or the best description there is. */
    static String location(ConfigOrigin origin, String fallback) {
        if (origin == null) {
            return fallback;
        }
        String where = origin.filename() != null ? origin.filename()
                : origin.resource() != null ? origin.resource()
                : origin.description().replaceFirst(": \\d+$", "");
        return origin.lineNumber() > 0 ? where + ":" + origin.lineNumber() : where;
    }

    /** typesafe-config's message without the origin it starts with (the location is said apart). */
    static String stripOrigin(ConfigException e) {
        String message = e.getMessage();
        if (e.origin() != null && message.startsWith(e.origin().description() + ": ")) {
            message = message.substring(e.origin().description().length() + 2);
        }
        return message;
    }
}
