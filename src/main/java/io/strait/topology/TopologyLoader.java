package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a topology file (HOCON) with the defaults of {@code reference.conf}, validates it, and
 * expands its flows into links. Every error is collected, each with file and line, before the
 * topology is refused; nothing is started from a topology with errors.
 */
public final class TopologyLoader {

    /** Characters a cluster alias may hold: legal in topic names, and never MirrorMaker 2's key separator. */
    static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]+");
    static final Pattern TOPIC_CHARS = Pattern.compile("[A-Za-z0-9._-]+");
    /** Kafka refuses longer topic names. */
    public static final int MAX_TOPIC_NAME_LENGTH = 249;

    private static final Set<String> ROOT_KEYS =
            Set.of("clusters", "cluster-defaults", "flows", "flow-defaults", "http", "engine", "reload", "scale-out");
    private static final Set<String> CLUSTER_KEYS = Set.of("bootstrap-servers", "kafka-clients");
    private static final Set<String> FLOW_SETTING_KEYS = Set.of("topics", "topics-exclude", "groups",
            "groups-exclude", "naming", "separator", "tasks", "refresh-interval", "delivery", "mirror");
    private static final Map<FlowType, List<String>> ENDPOINT_KEYS = Map.of(
            FlowType.LINK, List.of("source", "target"),
            FlowType.FAN_OUT, List.of("source", "targets"),
            FlowType.FAN_IN, List.of("sources", "target"),
            FlowType.PIPE, List.of("clusters"),
            FlowType.BIDIRECTIONAL, List.of("clusters"));
    private static final Set<String> ALL_ENDPOINT_KEYS = Set.of("source", "target", "sources", "targets", "clusters");
    /** Client settings Strait sets itself for every client it opens. */
    private static final Set<String> REFUSED_CLIENT_KEYS = Set.of("bootstrap.servers", "group.id");
    /** Connect worker settings Strait sets for each link (MirrorMakerConfig#workerConfig), with what to write instead. */
    private static final Map<String, String> REFUSED_WORKER_KEYS = Map.of(
            "bootstrap.servers", "each link's worker connects to the link's target cluster; write the cluster's"
                    + " bootstrap-servers instead",
            "group.id", "each link's workers form their own Connect group, <source>-mm2; remove the key",
            "config.storage.topic", "each link keeps its own, mm2-configs.<source>.internal; remove the key",
            "offset.storage.topic", "each link keeps its own, mm2-offsets.<source>.internal; remove the key",
            "status.storage.topic", "each link keeps its own, mm2-status.<source>.internal; remove the key",
            "exactly.once.source.support", "write delivery = exactly-once in the flow instead");
    /** MirrorMaker 2 settings Strait derives from a flow's own keys, with the key to use instead. */
    private static final Map<String, String> REFUSED_MIRROR_KEYS = Map.ofEntries(
            Map.entry("name", "the flow's name"),
            Map.entry("connector.class", "nothing: Strait runs all three MirrorMaker 2 connectors"),
            Map.entry("enabled", "nothing: remove the flow to stop the link"),
            Map.entry("source.cluster.alias", "source/sources/clusters"),
            Map.entry("target.cluster.alias", "target/targets/clusters"),
            Map.entry("topics", "topics"),
            Map.entry("topics.exclude", "topics-exclude"),
            Map.entry("topic.filter.class", "topics and topics-exclude"),
            Map.entry("groups", "groups"),
            Map.entry("groups.exclude", "groups-exclude"),
            Map.entry("group.filter.class", "groups and groups-exclude"),
            Map.entry("replication.policy.class", "naming"),
            Map.entry("replication.policy.separator", "separator"),
            Map.entry("tasks.max", "tasks"),
            Map.entry("exactly.once.support", "delivery"),
            Map.entry("refresh.topics.interval.seconds", "refresh-interval"),
            Map.entry("refresh.groups.interval.seconds", "refresh-interval"));
    /** The blocks of strait { } other than clusters and flows, each with an example of its shape. */
    private static final Map<String, String> BLOCK_EXAMPLES = new java.util.TreeMap<>(Map.of(
            "cluster-defaults", "cluster-defaults { kafka-clients { \"security.protocol\" = SSL } }",
            "flow-defaults", "flow-defaults { naming = prefix }",
            "http", "http { port = 8080 }",
            "engine", "engine { stop-timeout = 30s }",
            "reload", "reload { watch = true }",
            "scale-out", "scale-out { enabled = false }"));
    /** Larger topology files are refused unread: typesafe-config needs tens of seconds for a few MiB. */
    public static final int MAX_FILE_SIZE = 1024 * 1024;
    /** Deeper nesting of { and [ is reported when the parser runs out of stack. */
    private static final int MAX_NESTING = 100;
    private static final Pattern INCLUDE = Pattern.compile("^\\s*(?:[^#\"/]*[{,]\\s*)?include\\b");
    private static final Pattern RESERVED =
            Pattern.compile("('.') \\(Reserved character '.' is not allowed outside quotes\\)");
    /** How typesafe-config says that include url(...) failed. */
    private static final String URL_FAILURE = "Cannot load config from URL: ";
    private static final Pattern LONG_WORD = Pattern.compile("\\S{201,}");
    /**
     * Names MirrorMaker 2 never replicates, whatever the selection: DefaultTopicFilter's exclusions
     * ({@code mm2.*\\.internal, .*\\.replica, __.*}) and ReplicationPolicy#isInternalTopic under the
     * default separator ({@code .*}, checkpoints {@code *.checkpoints.internal}); see
     * neverReplicated(separator) adds the internal names under another separator.
     */
    private static final String NEVER_REPLICATED = "__.*|\\..*|mm2.*\\.internal|.*\\.replica";

    private final Map<String, String> environment;
    private final PassThroughCheck passThroughCheck;

    /**
     * A loader that resolves {@code ${VAR}} from the process environment and checks the raw Kafka
     * settings with the given check (the replication package's {@code KafkaSettingsValidator}).
     */
    public TopologyLoader(PassThroughCheck passThroughCheck) {
        this(System.getenv(), passThroughCheck);
    }

    /** A loader that resolves {@code ${VAR}} from the given environment and checks no raw Kafka setting (tests). */
    public TopologyLoader(Map<String, String> environment) {
        this(environment, PassThroughCheck.NONE);
    }

    /** A loader that resolves {@code ${VAR}} from the given environment and checks raw Kafka settings. */
    public TopologyLoader(Map<String, String> environment, PassThroughCheck passThroughCheck) {
        this.environment = Map.copyOf(environment);
        this.passThroughCheck = java.util.Objects.requireNonNull(passThroughCheck, "passThroughCheck");
    }

    /** Loads, validates and expands one topology file. */
    public Topology load(Path file) throws TopologyException {
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
            throw refused(name, "Cannot read the file: " + (e instanceof java.nio.file.AccessDeniedException
                    ? "permission denied" : e.getClass().getSimpleName() + " " + e.getMessage()));
        }
        String text = text(bytes, name);
        try {
            Config parsed;
            try {
                parsed = ConfigFactory.parseFile(file.toFile(),
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
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
            }
            return new Reading(name).read(parsed);
        } catch (StackOverflowError e) {
            throw new TopologyException(List.of(tooDeep(name, text)));
        }
    }

    /** Loads, validates and expands a topology given as text (for tests and the demo). */
    public Topology parse(String text, String description) throws TopologyException {
        try {
            Config parsed;
            try {
                parsed = ConfigFactory.parseString(text,
                        ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(description));
            } catch (ConfigException e) {
                throw new TopologyException(List.of(parseProblem(e, description, text)));
            }
            return new Reading(description).read(parsed);
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
        java.util.regex.Matcher reserved = RESERVED.matcher(message);
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

    /** The parser ran out of stack: brackets nested thousands deep, or a key path of thousands of parts. */
    private static Problem tooDeep(String name, String text) {
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
     * Brackets outside strings, comments and ${...}: the last { or [ left open at the end, as {char, line}
     * (or null), and the line where they first nest deeper than a limit (or 0).
     */
    private record Brackets(int[] innermostUnclosed, int tooDeepAt) {

        static Brackets scan(String text, int limit) {
            java.util.Deque<int[]> open = new java.util.ArrayDeque<>();
            int line = 1;
            int tooDeep = 0;
            int n = text.length();
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    line++;
                } else if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
                    while (i + 1 < n && text.charAt(i + 1) != '\n') {
                        i++;
                    }
                } else if (text.startsWith("\"\"\"", i)) {
                    int end = text.indexOf("\"\"\"", i + 3);
                    end = end < 0 ? n : end + 3;
                    for (int j = i; j < end; j++) {
                        line += text.charAt(j) == '\n' ? 1 : 0;
                    }
                    while (end < n && text.charAt(end) == '"') {
                        end++;
                    }
                    i = end - 1;
                } else if (c == '"') {
                    while (i + 1 < n && text.charAt(i + 1) != '"' && text.charAt(i + 1) != '\n') {
                        i += text.charAt(i + 1) == '\\' && i + 2 < n && text.charAt(i + 2) != '\n' ? 2 : 1;
                    }
                    i += i + 1 < n && text.charAt(i + 1) == '"' ? 1 : 0;
                } else if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
                    while (i + 1 < n && text.charAt(i + 1) != '}' && text.charAt(i + 1) != '\n') {
                        i++;
                    }
                    i += i + 1 < n && text.charAt(i + 1) == '}' ? 1 : 0;
                } else if (c == '{' || c == '[') {
                    open.push(new int[] {c, line});
                    if (open.size() > limit && tooDeep == 0) {
                        tooDeep = line;
                    }
                } else if ((c == '}' || c == ']') && !open.isEmpty()) {
                    open.pop();
                }
            }
            return new Brackets(open.peek(), tooDeep);
        }
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
        return LONG_WORD.matcher(escaped).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                m.group().substring(0, 60) + "... (" + m.group().length() + " characters)"));
    }

    /** {@code file:line} of a value, or the best description there is. */
    public static String location(ConfigOrigin origin, String fallback) {
        if (origin == null) {
            return fallback;
        }
        String where = origin.filename() != null ? origin.filename()
                : origin.resource() != null ? origin.resource()
                : origin.description().replaceFirst(": \\d+$", "");
        return origin.lineNumber() > 0 ? where + ":" + origin.lineNumber() : where;
    }

    private static String stripOrigin(ConfigException e) {
        String message = e.getMessage();
        if (e.origin() != null && message.startsWith(e.origin().description() + ": ")) {
            message = message.substring(e.origin().description().length() + 2);
        }
        return message;
    }

    /** The state of reading one file: the problems found so far. */
    private final class Reading {
        private final String description;
        private final List<Problem> problems = new ArrayList<>();
        private final Set<Problem> reported = new java.util.HashSet<>();
        /** Clusters already reported as invalid (a bad alias, or clusters not an object): flows naming them are not. */
        private final Set<String> refusedAliases = new java.util.HashSet<>();
        private boolean clustersRefused;
        /** Paths of values whose ${VAR} is not set, already reported. */
        private final Set<String> unset = new LinkedHashSet<>();
        /** The raw Kafka settings of every cluster, flow and the engine, for the pass-through check. */
        private final List<PassThroughBlock> passThrough = new ArrayList<>();

        Reading(String description) {
            this.description = description;
        }

        Topology read(Config parsed) throws TopologyException {
            try {
                return readChecked(parsed);
            } catch (ConfigException e) {
                // A value of a shape no check foresaw: still one error at its line, never a crash.
                String message = stripOrigin(e);
                error(e.origin(), message.contains("cycle of substitutions")
                        ? message + "; a value cannot refer to itself, directly or through other values"
                        : "Invalid value: " + message);
                throw new TopologyException(problems);
            }
        }

        private Topology readChecked(Config parsed) throws TopologyException {
            Config reference = ConfigFactory.parseResources(TopologyLoader.class.getClassLoader(), "reference.conf");
            Config env = ConfigValueFactory.fromMap(new HashMap<>(environment)).toConfig();
            Config config = parsed.withFallback(reference).withFallback(env)
                    .resolve(ConfigResolveOptions.noSystem().setAllowUnresolved(true));
            if (!parsed.hasPath("strait")) {
                error(parsed.origin(), "No strait { } block: a topology file defines strait.clusters and strait.flows"
                        + " (see topologies/ for examples)");
                throw new TopologyException(problems);
            }
            ConfigValue straitValue = config.getValue("strait");
            if (straitValue.valueType() != ConfigValueType.OBJECT) {
                error(parsed.getValue("strait").origin(), "Invalid value " + render(straitValue) + " for strait: it is"
                        + " a block, strait { clusters { ... }, flows { ... } } (see topologies/ for examples)");
                throw new TopologyException(problems);
            }
            findUnresolved(parsed.root(), straitValue, List.of("strait"));
            // Go on without the unset values (a key falls back to its default, or is missing), so
            // that every other error is still found.
            for (String path : unset) {
                config = config.withoutPath(path);
            }
            // Likewise without blocks that are not blocks (http = 8080): their keys take their defaults.
            ConfigObject own = parsed.getConfig("strait").root();
            for (Map.Entry<String, String> block : BLOCK_EXAMPLES.entrySet()) {
                ConfigValue value = own.get(block.getKey());
                String path = ConfigUtil.joinPath("strait", block.getKey());
                try {
                    if (value != null && value.valueType() != ConfigValueType.OBJECT && !unset.contains(path)) {
                        error(value.origin(), "Invalid value " + render(value) + " for " + block.getKey()
                                + ": it is a block, for example " + block.getValue());
                        config = config.withoutPath(path);
                    }
                } catch (ConfigException.NotResolved e) {
                    // an unset ${VAR}: reported above
                }
            }
            config = config.withFallback(reference);
            try {
                return validate(parsed, config);
            } catch (ConfigException.NotResolved e) {
                // an unset value that could not be set aside: reported above
                throw new TopologyException(problems);
            }
        }

        private Topology validate(Config parsed, Config config) throws TopologyException {
            Config strait = config.getConfig("strait");
            ConfigObject own = parsed.getConfig("strait").root();
            unknownKeys(own, ROOT_KEYS, "strait");
            unknownKeysIn(own, "cluster-defaults", CLUSTER_KEYS);
            unknownKeysIn(own, "flow-defaults", FLOW_SETTING_KEYS);
            unknownKeysIn(own, "http", Set.of("bind", "port"));
            unknownKeysIn(own, "engine", Set.of("worker", "stop-timeout"));
            unknownKeysIn(own, "reload", Set.of("watch", "interval"));
            unknownKeysIn(own, "scale-out", Set.of("enabled", "bind", "port", "advertised-host"));

            SortedMap<String, ClusterSettings> clusters = readClusters(strait);
            List<LinkSettings> candidates = readFlows(strait, clusters);
            SortedMap<LinkId, LinkSettings> links = merge(candidates);
            checkAliasesAgainstSeparators(links, clusters);
            checkIdentityCycles(links);
            warnSharedServers(links, clusters);
            warnNeverReplicated(candidates);
            warnLongNames(strait, clusters);
            HttpSettings http = readHttp(strait);
            EngineSettings engine = readEngine(strait);
            ReloadSettings reload = readReload(strait);
            ScaleOutSettings scaleOut = readScaleOut(strait);
            for (Problem found : passThroughCheck.check(passThrough)) {
                Problem problem = new Problem(found.severity(), found.location(), printable(found.message()));
                if (reported.add(problem)) {
                    problems.add(problem);
                }
            }

            // Where the file has the key, or else its strait block: never reference.conf.
            if (strait.hasPath("clusters") && clusters.isEmpty() && problems.stream().noneMatch(Problem::isError)) {
                error((own.containsKey("clusters") ? own.get("clusters") : own).origin(),
                        "No clusters: define at least two under strait.clusters");
            }
            if (links.isEmpty() && problems.stream().noneMatch(Problem::isError)) {
                error((own.containsKey("flows") ? own.get("flows") : own).origin(),
                        "No flows: define at least one under strait.flows,"
                        + " for example dr { type = link, source = east, target = west }");
            }
            if (problems.stream().anyMatch(Problem::isError)) {
                throw new TopologyException(problems);
            }
            return new Topology(description, clusters, links, http, engine, reload, scaleOut, problems);
        }

        // ---- clusters ----

        private SortedMap<String, ClusterSettings> readClusters(Config strait) {
            SortedMap<String, ClusterSettings> clusters = new TreeMap<>();
            ConfigObject all = object(strait, "clusters");
            // clusters = [...] or an unset ${VAR}: reported already, so flows naming clusters are not
            clustersRefused = (all == null && strait.hasPath("clusters"))
                    || unset.contains(ConfigUtil.joinPath("strait", "clusters"));
            if (all == null || clustersRefused) {
                return clusters;
            }
            Config defaults = strait.getConfig("cluster-defaults");
            for (Map.Entry<String, ConfigValue> entry : inFileOrder(all)) {
                String alias = entry.getKey();
                ConfigValue value = entry.getValue();
                if (!checkAlias(alias, value.origin())) {
                    continue;
                }
                if (value.valueType() != ConfigValueType.OBJECT) {
                    error(value.origin(), "Invalid value " + render(value) + " for cluster " + alias
                            + ": a cluster is an object, for example " + alias + " { bootstrap-servers = \"host:9092\" }");
                    continue;
                }
                ConfigObject own = (ConfigObject) value;
                unknownKeys(own, CLUSTER_KEYS, "cluster " + alias);
                Config cluster = own.toConfig().withFallback(defaults);
                String bootstrap = null;
                if (!cluster.hasPath("bootstrap-servers")) {
                    if (!unset.contains(ConfigUtil.joinPath("strait", "clusters", alias, "bootstrap-servers"))) {
                        error(value.origin(), "Missing bootstrap-servers for cluster " + alias
                                + ": write bootstrap-servers = \"host:9092\" (if it comes from ${?VAR}, that variable is not set)");
                    }
                } else {
                    bootstrap = string(cluster, "bootstrap-servers");
                    if (bootstrap != null && bootstrap.isBlank()) {
                        error(cluster.getValue("bootstrap-servers").origin(), "Invalid value \"\" for bootstrap-servers"
                                + " of cluster " + alias + ": it must list host:port pairs, for example \"host:9092\"");
                    }
                }
                Map<String, ConfigOrigin> clientOrigins = new HashMap<>();
                SortedMap<String, String> clients = flatMap(cluster, "kafka-clients", "kafka-clients of cluster " + alias,
                        clientOrigins);
                Set<String> ownClients = ownKeys(own, "kafka-clients");
                for (String refused : new TreeSet<>(REFUSED_CLIENT_KEYS)) {
                    if (clients.remove(refused) != null) {
                        error(clientOrigins.get(refused), "Invalid key " + refused + " in kafka-clients of "
                                + (ownClients.contains(refused) ? "cluster " + alias : "cluster-defaults")
                                + ": Strait sets it" + (refused.equals("bootstrap.servers")
                                ? "; write bootstrap-servers instead" : "; remove the key"));
                    }
                }
                for (String key : new TreeSet<>(clients.keySet())) {
                    // Kafka's placeholders are resolved by the providers Strait gives every client and worker.
                    if (key.equals("config.providers") || key.startsWith("config.providers.")) {
                        clients.remove(key);
                        error(clientOrigins.get(key), "Invalid key " + key + " in kafka-clients of "
                                + (ownClients.contains(key) ? "cluster " + alias : "cluster-defaults")
                                + ": Strait sets it, with Kafka's providers env, file and directory; write \"${env:VAR}\","
                                + " \"${file:/path/file.properties:key}\" or \"${directory:/path:file}\" in a value instead");
                    }
                }
                passThrough(PassThroughBlock.Kind.KAFKA_CLIENTS, "cluster " + alias, clients, clientOrigins,
                        key -> "kafka-clients of " + (ownClients.contains(key) ? "cluster " + alias : "cluster-defaults"));
                clusters.put(alias, new ClusterSettings(alias, bootstrap == null ? "" : bootstrap, clients,
                        location(value.origin(), description)));
            }
            return clusters;
        }

        private boolean checkAlias(String alias, ConfigOrigin origin) {
            if (!ALIAS.matcher(alias).matches()) {
                refusedAliases.add(alias);
                error(origin, "Invalid cluster alias \"" + alias + "\": an alias prefixes topic names, so it may hold"
                        + " only letters, digits, _ and - (no dots), for example " + suggestAlias(alias));
                return false;
            }
            return true;
        }

        private String suggestAlias(String alias) {
            String cleaned = alias.replaceAll("[^A-Za-z0-9_-]", "-").replaceAll("^-+|-+$", "");
            return cleaned.isEmpty() ? "east" : cleaned;
        }

        // ---- flows ----

        private List<LinkSettings> readFlows(Config strait, SortedMap<String, ClusterSettings> clusters) {
            List<LinkSettings> links = new ArrayList<>();
            ConfigObject all = object(strait, "flows");
            if (all == null) {
                return links;
            }
            Config defaults = strait.getConfig("flow-defaults");
            for (Map.Entry<String, ConfigValue> entry : inFileOrder(all)) {
                String name = entry.getKey();
                ConfigValue value = entry.getValue();
                if (value.valueType() != ConfigValueType.OBJECT) {
                    error(value.origin(), "Invalid value " + render(value) + " for flow " + name
                            + ": a flow is an object, for example " + name + " { type = link, source = a, target = b }");
                    continue;
                }
                ConfigObject own = (ConfigObject) value;
                links.addAll(readFlow(name, own, own.toConfig().withFallback(defaults), clusters));
            }
            return links;
        }

        private List<LinkSettings> readFlow(String name, ConfigObject own, Config flow,
                                            SortedMap<String, ClusterSettings> clusters) {
            String where = "flow " + name;
            ConfigOrigin origin = own.origin();
            FlowType type = null;
            if (!flow.hasPath("type")) {
                error(origin, "Missing type for " + where + ": write type = one of " + FlowType.allConfigNames());
            } else {
                String typeName = string(flow, "type");
                if (typeName != null) {
                    type = FlowType.fromConfigName(typeName).orElse(null);
                    if (type == null) {
                        error(flow.getValue("type").origin(), "Invalid value " + typeName + " for type of " + where
                                + ": write one of " + FlowType.allConfigNames());
                    }
                }
            }
            Set<String> allowed = new LinkedHashSet<>(List.of("type"));
            allowed.addAll(type == null ? ALL_ENDPOINT_KEYS : ENDPOINT_KEYS.get(type));
            allowed.addAll(FLOW_SETTING_KEYS);
            for (String key : own.keySet()) {
                if (!allowed.contains(key) && ALL_ENDPOINT_KEYS.contains(key) && type != null) {
                    error(own.get(key).origin(), "Invalid key " + key + " in " + where + ": a " + type.configName()
                            + " flow takes " + String.join(" and ", ENDPOINT_KEYS.get(type)));
                }
            }
            Set<String> known = new LinkedHashSet<>(allowed);
            known.addAll(ALL_ENDPOINT_KEYS);
            unknownKeys(own, known, where);

            List<Selection> topics = List.of(selection(flow, "topics", "topics-exclude", where));
            List<Selection> groups = List.of(selection(flow, "groups", "groups-exclude", where));
            Naming naming = naming(flow, where);
            String separator = separator(flow, where);
            int tasks = tasks(flow, where);
            Duration refresh = duration(flow, "refresh-interval", where, Duration.ofSeconds(1));
            Delivery delivery = delivery(flow, where);
            Map<String, ConfigOrigin> mirrorOrigins = new HashMap<>();
            SortedMap<String, String> mirror = flatMap(flow, "mirror", "mirror block of " + where, mirrorOrigins);
            Set<String> ownMirror = ownKeys(own, "mirror");
            for (String key : mirror.keySet()) {
                String instead = REFUSED_MIRROR_KEYS.get(key);
                if (instead != null) {
                    error(mirrorOrigins.get(key), "Invalid key " + key + " in the mirror block of "
                            + (ownMirror.contains(key) ? where : "flow-defaults") + ": Strait sets it; write "
                            + instead + " instead");
                }
            }
            SortedMap<String, String> passed = new TreeMap<>(mirror);
            passed.keySet().removeAll(REFUSED_MIRROR_KEYS.keySet());
            passThrough(PassThroughBlock.Kind.MIRROR, where, passed, mirrorOrigins,
                    key -> "the mirror block of " + (ownMirror.contains(key) ? where : "flow-defaults"));
            if (type == null || naming == null || separator == null) {
                return List.of();
            }
            String loc = location(origin, description);
            List<LinkId> ids = new ArrayList<>();
            List<List<Selection>> perLinkTopics = new ArrayList<>();
            switch (type) {
                case LINK -> {
                    String source = clusterRef(flow, origin, "source", where, clusters);
                    String target = clusterRef(flow, origin, "target", where, clusters);
                    addLink(ids, perLinkTopics, source, target, topics, origin, where);
                }
                case FAN_OUT -> {
                    String source = clusterRef(flow, origin, "source", where, clusters);
                    for (String target : clusterRefs(flow, origin, "targets", where, clusters, 1)) {
                        addLink(ids, perLinkTopics, source, target, topics, origin, where);
                    }
                }
                case FAN_IN -> {
                    String target = clusterRef(flow, origin, "target", where, clusters);
                    for (String source : clusterRefs(flow, origin, "sources", where, clusters, 1)) {
                        addLink(ids, perLinkTopics, source, target, topics, origin, where);
                    }
                }
                case PIPE -> {
                    List<String> chain = clusterRefs(flow, origin, "clusters", where, clusters, 2);
                    for (int hop = 0; hop + 1 < chain.size(); hop++) {
                        List<Selection> carried = new ArrayList<>(topics);
                        if (naming == Naming.PREFIX) {
                            // Copies that arrived from upstream: on chain[hop] they are named
                            // chain[hop-1].t, chain[hop-1].chain[hop-2].t, ...
                            StringBuilder prefix = new StringBuilder();
                            for (int up = hop - 1; up >= 0; up--) {
                                prefix.append(chain.get(up)).append(separator);
                                for (Selection s : topics) {
                                    carried.add(s.withLiteralPrefix(prefix.toString()));
                                }
                            }
                        }
                        addLink(ids, perLinkTopics, chain.get(hop), chain.get(hop + 1), carried, origin, where);
                    }
                }
                case BIDIRECTIONAL -> {
                    List<String> members = clusterRefs(flow, origin, "clusters", where, clusters, 2);
                    for (String source : members) {
                        for (String target : members) {
                            if (!source.equals(target)) {
                                addLink(ids, perLinkTopics, source, target, topics, origin, where);
                            }
                        }
                    }
                }
                default -> throw new IllegalStateException(type.toString());
            }
            List<LinkSettings> links = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                links.add(new LinkSettings(ids.get(i), perLinkTopics.get(i), groups, naming, separator, tasks,
                        refresh == null ? Duration.ofSeconds(10) : refresh, delivery, mirror, new TreeSet<>(Set.of(name)),
                        loc));
            }
            return links;
        }

        private void addLink(List<LinkId> ids, List<List<Selection>> topics, String source, String target,
                             List<Selection> selections, ConfigOrigin origin, String where) {
            if (source == null || target == null) {
                return;
            }
            if (source.equals(target)) {
                error(origin, "Invalid link " + source + "->" + target + " in " + where
                        + ": a cluster cannot replicate to itself; name two different clusters");
                return;
            }
            ids.add(new LinkId(source, target));
            topics.add(selections);
        }

        private String clusterRef(Config flow, ConfigOrigin origin, String key, String where,
                                  SortedMap<String, ClusterSettings> clusters) {
            if (!flow.hasPath(key)) {
                error(origin, "Missing " + key + " in " + where + ": name one of the clusters "
                        + String.join(", ", clusters.keySet()));
                return null;
            }
            String alias = string(flow, key);
            if (alias == null) {
                return null;
            }
            return knownCluster(alias, flow.getValue(key).origin(), key, where, clusters) ? alias : null;
        }

        private List<String> clusterRefs(Config flow, ConfigOrigin flowOrigin, String key, String where,
                                         SortedMap<String, ClusterSettings> clusters, int atLeast) {
            if (!flow.hasPath(key)) {
                error(flowOrigin, "Missing " + key + " in " + where + ": write " + key + " = [...] naming clusters of "
                        + String.join(", ", clusters.keySet()));
                return List.of();
            }
            List<String> aliases = stringList(flow, key, where);
            if (aliases == null) {
                return List.of();
            }
            ConfigOrigin origin = flow.getValue(key).origin();
            if (new LinkedHashSet<>(aliases).size() != aliases.size()) {
                error(origin, "Invalid value " + aliases + " for " + key + " of " + where
                        + ": a cluster appears twice; name each cluster once");
                return List.of();
            }
            if (aliases.size() < atLeast) {
                error(origin, "Invalid value " + aliases + " for " + key + " of " + where + ": name at least "
                        + atLeast + " cluster" + (atLeast > 1 ? "s" : ""));
                return List.of();
            }
            List<String> known = new ArrayList<>();
            boolean allKnown = true;
            for (String alias : aliases) {
                allKnown &= knownCluster(alias, origin, key, where, clusters);
                known.add(alias);
            }
            return allKnown ? known : List.of();
        }

        private boolean knownCluster(String alias, ConfigOrigin origin, String key, String where,
                                     SortedMap<String, ClusterSettings> clusters) {
            if (clusters.containsKey(alias)) {
                return true;
            }
            if (clustersRefused || refusedAliases.contains(alias)) {
                return false;
            }
            error(origin, "Unknown cluster " + alias + " in " + key + " of " + where + ": known clusters are "
                    + (clusters.isEmpty() ? "(none defined under strait.clusters)" : String.join(", ", clusters.keySet()))
                    + didYouMean(alias, clusters.keySet()));
            return false;
        }

        private Selection selection(Config flow, String includeKey, String excludeKey, String where) {
            List<String> include = patterns(flow, includeKey, where);
            List<String> exclude = patterns(flow, excludeKey, where);
            return new Selection(include, exclude);
        }

        private List<String> patterns(Config flow, String key, String where) {
            List<String> patterns = stringList(flow, key, where);
            if (patterns == null) {
                return List.of();
            }
            for (String pattern : patterns) {
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    error(flow.getValue(key).origin(), "Invalid value " + pattern + " for " + key + " of " + where
                            + ": not a regular expression (" + e.getDescription() + " near index " + e.getIndex()
                            + "); write a Java regex such as \"orders\\\\..*\", or quote literals with \\\\Q...\\\\E");
                }
            }
            return patterns;
        }

        private Naming naming(Config flow, String where) {
            String value = string(flow, "naming");
            if (value == null) {
                return null;
            }
            for (Naming naming : Naming.values()) {
                if (naming.configName().equals(value)) {
                    return naming;
                }
            }
            error(flow.getValue("naming").origin(), "Invalid value " + value + " for naming of " + where
                    + ": write prefix (source.topic) or identity (the same name)");
            return null;
        }

        private Delivery delivery(Config flow, String where) {
            String value = string(flow, "delivery");
            for (Delivery delivery : Delivery.values()) {
                if (delivery.configName().equals(value)) {
                    return delivery;
                }
            }
            if (value != null) {
                error(flow.getValue("delivery").origin(), "Invalid value " + value + " for delivery of " + where
                        + ": write at-least-once or exactly-once");
            }
            return Delivery.AT_LEAST_ONCE;
        }

        private String separator(Config flow, String where) {
            String value = string(flow, "separator");
            if (value == null) {
                return null;
            }
            if (!TOPIC_CHARS.matcher(value).matches()) {
                error(flow.getValue("separator").origin(), "Invalid value \"" + value + "\" for separator of " + where
                        + ": it becomes part of topic names, so it must be non-empty and hold only letters, digits,"
                        + " '.', '_' and '-'; write \".\" or \"_\"");
                return null;
            }
            return value;
        }

        private int tasks(Config flow, String where) {
            try {
                ConfigValue value = flow.getValue("tasks");
                if (value.valueType() == ConfigValueType.STRING && "auto".equals(value.unwrapped())) {
                    return 0;
                }
                int tasks = whole(flow.getNumber("tasks")) ? flow.getInt("tasks") : 0;
                if (tasks >= 1) {
                    return tasks;
                }
                error(value.origin(), "Invalid value " + render(value) + " for tasks of " + where
                        + ": write auto or a number of at least 1");
            } catch (ConfigException.WrongType e) {
                error(e.origin(), "Invalid value " + render(flow.getValue("tasks")) + " for tasks of " + where
                        + ": write auto or a number of at least 1");
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for tasks of " + where + ": write auto or a number of at least 1,"
                        + " or remove the key");
            } catch (ConfigException.NotResolved e) {
                // reported by findUnresolved
            }
            return 0;
        }

        private Duration duration(Config config, String key, String where, Duration atLeast) {
            try {
                Duration value = config.getDuration(key);
                if (value.compareTo(atLeast) < 0) {
                    error(config.getValue(key).origin(), "Invalid value " + render(config.getValue(key)) + " for " + key
                            + " of " + where + ": it must be at least " + atLeast.toSeconds() + "s");
                    return null;
                }
                return value;
            } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                error(config.getValue(key).origin(), "Invalid value " + render(config.getValue(key)) + " for " + key
                        + " of " + where + ": write a duration such as 10s, 500ms or 1m");
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for " + key + " of " + where + ": write a duration such as 10s,"
                        + " 500ms or 1m, or remove the key");
            } catch (ConfigException.NotResolved e) {
                // reported by findUnresolved
            }
            return null;
        }

        // ---- links ----

        /** Names MirrorMaker 2 never replicates on a link with this separator (its policy's internal names). */
        private Pattern neverReplicated(String separator) {
            String sep = Pattern.quote(separator);
            return Pattern.compile(NEVER_REPLICATED + "|mm2.*" + sep + "internal|.*" + sep + "checkpoints" + sep + "internal");
        }

        private SortedMap<LinkId, LinkSettings> merge(List<LinkSettings> candidates) {
            SortedMap<LinkId, LinkSettings> links = new TreeMap<>();
            for (LinkSettings link : candidates) {
                LinkSettings existing = links.get(link.id());
                if (existing == null) {
                    links.put(link.id(), link);
                } else if (existing.mergeableWith(link)) {
                    links.put(link.id(), existing.mergedWith(link));
                } else {
                    problems.add(Problem.error(link.location(), "Conflicting flows " + String.join(", ", existing.flows())
                            + " (" + existing.location() + ") and " + String.join(", ", link.flows()) + " both make link "
                            + link.id() + " but differ in " + differences(existing, link)
                            + ": give them the same settings, or let one flow own the link"));
                }
            }
            return links;
        }

        private String differences(LinkSettings a, LinkSettings b) {
            List<String> differ = new ArrayList<>();
            if (a.naming() != b.naming()) {
                differ.add("naming (" + a.naming().configName() + " vs " + b.naming().configName() + ")");
            }
            if (!a.separator().equals(b.separator())) {
                differ.add("separator (\"" + a.separator() + "\" vs \"" + b.separator() + "\")");
            }
            if (a.tasks() != b.tasks()) {
                differ.add("tasks (" + tasksName(a.tasks()) + " vs " + tasksName(b.tasks()) + ")");
            }
            if (a.delivery() != b.delivery()) {
                differ.add("delivery (" + a.delivery().configName() + " vs " + b.delivery().configName() + ")");
            }
            if (!a.refreshInterval().equals(b.refreshInterval())) {
                differ.add("refresh-interval (" + a.refreshInterval().toSeconds() + "s vs "
                        + b.refreshInterval().toSeconds() + "s)");
            }
            if (!a.mirror().equals(b.mirror())) {
                Set<String> keys = new TreeSet<>(a.mirror().keySet());
                keys.addAll(b.mirror().keySet());
                keys.removeIf(k -> java.util.Objects.equals(a.mirror().get(k), b.mirror().get(k)));
                differ.add("mirror settings " + keys);
            }
            return String.join(", ", differ);
        }

        private String tasksName(int tasks) {
            return tasks == 0 ? "auto" : Integer.toString(tasks);
        }

        private void checkAliasesAgainstSeparators(SortedMap<LinkId, LinkSettings> links,
                                                   SortedMap<String, ClusterSettings> clusters) {
            Set<String> reported = new java.util.HashSet<>();
            for (LinkSettings link : links.values()) {
                if (link.naming() != Naming.PREFIX) {
                    continue;
                }
                for (String alias : List.of(link.id().source(), link.id().target())) {
                    if (alias.contains(link.separator()) && reported.add(alias + link.separator())) {
                        problems.add(Problem.error(clusters.get(alias).location(), "Invalid cluster alias " + alias
                                + ": it contains the separator \"" + link.separator() + "\" of flow "
                                + String.join(", ", link.flows()) + ", so replicated topic names could not be told"
                                + " apart; rename the cluster or choose another separator"));
                    }
                }
            }
        }

        private void checkIdentityCycles(SortedMap<LinkId, LinkSettings> links) {
            Map<String, Set<String>> next = new HashMap<>();
            links.keySet().forEach(id -> next.computeIfAbsent(id.source(), k -> new TreeSet<>()).add(id.target()));
            for (LinkSettings link : links.values()) {
                if (link.naming() != Naming.IDENTITY) {
                    continue;
                }
                Optional<List<String>> path = path(next, link.id().target(), link.id().source());
                path.ifPresent(p -> problems.add(Problem.error(link.location(), "Invalid naming identity for link "
                        + link.id() + " of flow " + String.join(", ", link.flows()) + ": the link lies on the cycle "
                        + link.id().source() + "->" + String.join("->", p) + ", and identity names cannot stop records"
                        + " from looping around it; write naming = prefix")));
            }
        }

        /** A shortest path from {@code from} to {@code to} along links, as the list of clusters visited. */
        private Optional<List<String>> path(Map<String, Set<String>> next, String from, String to) {
            Map<String, String> parent = new LinkedHashMap<>();
            java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(from));
            parent.put(from, null);
            while (!queue.isEmpty()) {
                String at = queue.poll();
                if (at.equals(to)) {
                    List<String> path = new ArrayList<>();
                    for (String step = at; step != null; step = parent.get(step)) {
                        path.add(0, step);
                    }
                    return Optional.of(path);
                }
                for (String n : next.getOrDefault(at, Set.of())) {
                    if (!parent.containsKey(n)) {
                        parent.put(n, at);
                        queue.add(n);
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * Two aliases that list a common server (hosts compared without DNS, see BootstrapServers)
         * name one Kafka cluster: SharedClusters says what that does. Only a warning here, since a
         * file may be checked where its addresses mean something else; run and plan compare the
         * clusters' IDs.
         */
        private void warnSharedServers(SortedMap<LinkId, LinkSettings> links, SortedMap<String, ClusterSettings> clusters) {
            Map<String, String> keys = new HashMap<>();
            Map<String, String> byAddress = new HashMap<>();
            for (ClusterSettings cluster : clusters.values()) {
                for (String address : BootstrapServers.addresses(cluster.bootstrapServers())) {
                    String other = byAddress.putIfAbsent(address, cluster.alias());
                    if (other != null) {
                        String from = keys.getOrDefault(cluster.alias(), cluster.alias());
                        String to = keys.getOrDefault(other, other);
                        keys.replaceAll((alias, key) -> key.equals(from) ? to : key);
                        keys.put(cluster.alias(), to);
                        keys.putIfAbsent(other, to);
                    }
                }
            }
            if (keys.isEmpty()) {
                return;
            }
            for (SharedClusters.Finding finding : SharedClusters.findings(links, keys, group -> "clusters "
                    + group.stream().map(a -> a + " (" + clusters.get(a).bootstrapServers() + ")")
                    .collect(java.util.stream.Collectors.joining(" and ")) + " list the same Kafka servers")) {
                // At the last alias of the finding that shares its servers with another of them.
                String at = finding.aliases().stream().filter(a -> keys.containsKey(a) && finding.aliases().stream()
                        .anyMatch(b -> !b.equals(a) && keys.get(a).equals(keys.get(b)))).reduce((x, y) -> y)
                        .orElse(finding.aliases().last());
                problems.add(Problem.warning(clusters.get(at).location(), finding.message()
                        + (finding.refuses() ? " (run and plan compare the clusters' IDs, and do not start "
                        + (finding.links().size() == 1 ? "the link" : "these links") + " when they match)" : "")));
            }
        }

        private void warnNeverReplicated(List<LinkSettings> candidates) {
            Set<String> warned = new java.util.HashSet<>();
            for (LinkSettings link : candidates) {
                for (Selection selection : link.topics()) {
                    for (String pattern : selection.include()) {
                        if (literal(pattern) && neverReplicated(link.separator()).matcher(pattern.replace("\\.", "."))
                                .matches() && warned.add(link.flows() + pattern)) {
                            problems.add(Problem.warning(link.location(), "topics pattern " + pattern + " of flow "
                                    + String.join(", ", link.flows()) + " can only match topics MirrorMaker 2 never"
                                    + " replicates (__*, .*, mm2*.internal, *.replica, *" + link.separator() + "checkpoints"
                                    + link.separator() + "internal)"));
                        }
                    }
                }
            }
        }

        private void warnLongNames(Config strait, SortedMap<String, ClusterSettings> clusters) {
            // Reported on candidates with literal topic names: the longest name a chain of hops produces.
            ConfigObject flows = object(strait, "flows");
            if (flows == null) {
                return;
            }
            for (Map.Entry<String, ConfigValue> flow : flows.entrySet()) {
                if (!(flow.getValue() instanceof ConfigObject object)) {
                    continue;
                }
                Config config = object.toConfig().withFallback(strait.getConfig("flow-defaults"));
                try {
                    if (!"pipe".equals(config.getString("type")) || !"prefix".equals(config.getString("naming"))) {
                        continue;
                    }
                    List<String> chain = config.getStringList("clusters");
                    String separator = config.getString("separator");
                    int prefix = 0;
                    for (int i = 0; i + 1 < chain.size(); i++) {
                        prefix += chain.get(i).length() + separator.length();
                    }
                    for (String topic : config.getStringList("topics")) {
                        if (literal(topic) && prefix + topic.length() > MAX_TOPIC_NAME_LENGTH) {
                            problems.add(Problem.warning(location(object.origin(), description), "topic " + topic
                                    + " of flow " + flow.getKey() + " reaches the end of the pipe as a name of "
                                    + (prefix + topic.length()) + " characters, longer than Kafka's "
                                    + MAX_TOPIC_NAME_LENGTH + ": that hop will fail to create it; use shorter aliases"));
                        }
                    }
                } catch (ConfigException e) {
                    // already reported while reading the flow
                }
            }
        }

        private boolean literal(String pattern) {
            return TOPIC_CHARS.matcher(pattern.replace("\\.", ".")).matches() && !pattern.contains("..");
        }

        // ---- http and engine ----

        private ReloadSettings readReload(Config strait) {
            boolean watch = bool(strait, "reload.watch");
            Duration interval = duration(strait, "reload.interval", "reload", Duration.ofMillis(100));
            return new ReloadSettings(watch, interval == null ? Duration.ofSeconds(2) : interval);
        }

        private ScaleOutSettings readScaleOut(Config strait) {
            boolean enabled = bool(strait, "scale-out.enabled");
            String bind = string(strait, "scale-out.bind");
            String host = string(strait, "scale-out.advertised-host");
            int port = port(strait, "scale-out.port");
            return new ScaleOutSettings(enabled, bind == null ? "0.0.0.0" : bind, port, host == null ? "localhost" : host);
        }

        private boolean bool(Config config, String key) {
            try {
                return config.getBoolean(key);
            } catch (ConfigException.WrongType e) {
                error(e.origin(), "Invalid value " + render(config.getValue(key)) + " for " + key + ": write true or false");
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for " + key + ": write true or false, or remove the key");
            } catch (ConfigException.NotResolved e) {
                // reported by findUnresolved
            }
            return false;
        }

        private int port(Config config, String key) {
            try {
                if (!whole(config.getNumber(key))) {
                    error(config.getValue(key).origin(), "Invalid value " + render(config.getValue(key)) + " for " + key
                            + ": write a port number");
                    return 0;
                }
                int port = config.getInt(key);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
                error(config.getValue(key).origin(), "Invalid value " + port + " for " + key + ": write a port"
                        + " from 1 to 65535, or 0 for any free port");
            } catch (ConfigException.WrongType e) {
                error(e.origin(), "Invalid value " + render(config.getValue(key)) + " for " + key + ": write a port number");
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for " + key + ": write a port number, or remove the key");
            } catch (ConfigException.NotResolved e) {
                // reported by findUnresolved
            }
            return 0;
        }

        private HttpSettings readHttp(Config strait) {
            String bind = string(strait, "http.bind");
            return new HttpSettings(bind == null ? "0.0.0.0" : bind, port(strait, "http.port"));
        }


        private EngineSettings readEngine(Config strait) {
            Map<String, ConfigOrigin> origins = new HashMap<>();
            SortedMap<String, String> worker = flatMap(strait, "engine.worker", "engine.worker", origins);
            for (Map.Entry<String, String> refused : new TreeMap<>(REFUSED_WORKER_KEYS).entrySet()) {
                if (worker.containsKey(refused.getKey())) {
                    error(origins.get(refused.getKey()), "Invalid key " + refused.getKey() + " in engine.worker: Strait"
                            + " sets it for each link (" + refused.getValue() + ")");
                }
            }
            SortedMap<String, String> passed = new TreeMap<>(worker);
            passed.keySet().removeAll(REFUSED_WORKER_KEYS.keySet());
            passThrough(PassThroughBlock.Kind.ENGINE_WORKER, "engine", passed, origins,
                    key -> "engine.worker");
            Duration stop = duration(strait, "engine.stop-timeout", "engine", Duration.ofSeconds(1));
            return new EngineSettings(worker, stop == null ? Duration.ofSeconds(30) : stop);
        }

        /** Notes a block of raw Kafka settings for the pass-through check, each with its block and file:line. */
        private void passThrough(PassThroughBlock.Kind kind, String owner, SortedMap<String, String> settings,
                                 Map<String, ConfigOrigin> origins, java.util.function.UnaryOperator<String> where) {
            List<PassThroughBlock.Setting> list = new ArrayList<>();
            settings.forEach((key, value) -> list.add(new PassThroughBlock.Setting(key, value, where.apply(key),
                    location(origins.get(key), description))));
            passThrough.add(new PassThroughBlock(kind, owner, list));
        }

        // ---- typed reading with collected errors ----

        private ConfigObject object(Config config, String key) {
            if (!config.hasPath(key)) {
                return null;
            }
            ConfigValue value = config.getValue(key);
            if (value.valueType() != ConfigValueType.OBJECT) {
                error(value.origin(), "Invalid value " + render(value) + " for " + key + ": it must be an object { ... }"
                        + " keyed by name");
                return null;
            }
            return (ConfigObject) value;
        }

        private String string(Config config, String key) {
            try {
                ConfigValue value = config.getValue(key);
                if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
                    error(value.origin(), "Invalid value " + render(value) + " for " + key + ": write a single value");
                    return null;
                }
                return config.getString(key);
            } catch (ConfigException.NotResolved e) {
                return null;
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for " + key + ": write a value, or remove the key");
                return null;
            } catch (ConfigException e) {
                error(e.origin(), "Invalid value for " + key + ": " + stripOrigin(e));
                return null;
            }
        }

        private List<String> stringList(Config config, String key, String where) {
            try {
                ConfigValue value = config.getValue(key);
                if (value.valueType() == ConfigValueType.STRING) {
                    return List.of(config.getString(key));
                }
                return config.getStringList(key);
            } catch (ConfigException.NotResolved e) {
                return null;
            } catch (ConfigException.Null e) {
                error(e.origin(), "Invalid value null for " + key + " of " + where + ": write a list of names such as"
                        + " [a, b], or remove the key");
                return null;
            } catch (ConfigException e) {
                error(config.getValue(key).origin(), "Invalid value " + render(config.getValue(key)) + " for " + key
                        + " of " + where + ": write a list of names such as [a, b]");
                return null;
            }
        }

        /** An object of raw Kafka settings, whether keys are quoted ("a.b" = 1) or nested (a.b = 1). */
        private SortedMap<String, String> flatMap(Config config, String key, String where) {
            return flatMap(config, key, where, new HashMap<>());
        }

        private SortedMap<String, String> flatMap(Config config, String key, String where,
                                                  Map<String, ConfigOrigin> origins) {
            SortedMap<String, String> result = new TreeMap<>();
            ConfigObject object = object(config, key);
            if (object == null) {
                return result;
            }
            try {
                for (Map.Entry<String, ConfigValue> entry : object.toConfig().entrySet()) {
                    String name = String.join(".", ConfigUtil.splitPath(entry.getKey()));
                    ConfigValue value = entry.getValue();
                    origins.put(name, value.origin());
                    if (value.valueType() == ConfigValueType.LIST) {
                        List<String> items = new ArrayList<>();
                        for (ConfigValue item : (ConfigList) value) {
                            items.add(String.valueOf(item.unwrapped()));
                        }
                        result.put(name, String.join(",", items));
                    } else if (value.valueType() == ConfigValueType.NULL) {
                        error(value.origin(), "Invalid value null for " + name + " in " + where + ": write a value or remove the key");
                    } else {
                        result.put(name, String.valueOf(value.unwrapped()));
                    }
                }
            } catch (ConfigException.NotResolved e) {
                // reported by findUnresolved
            }
            return result;
        }

        /** The raw settings an entry writes itself in one of its blocks, as dotted names (not its defaults'). */
        private Set<String> ownKeys(ConfigObject entry, String block) {
            Set<String> keys = new java.util.HashSet<>();
            if (entry.get(block) instanceof ConfigObject object) {
                try {
                    object.toConfig().entrySet()
                            .forEach(e -> keys.add(String.join(".", ConfigUtil.splitPath(e.getKey()))));
                } catch (ConfigException e) {
                    // an unset ${VAR}: reported by findUnresolved
                }
            }
            return keys;
        }

        private void unknownKeys(ConfigObject object, Set<String> known, String where) {
            for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
                if (!known.contains(entry.getKey())) {
                    error(entry.getValue().origin(), "Unknown key " + entry.getKey() + " in " + where + ": known keys are "
                            + String.join(", ", new TreeSet<>(known)) + didYouMean(entry.getKey(), known));
                }
            }
        }

        /** Unknown keys in a block of the file's strait { }, such as a misspelt key in flow-defaults. */
        private void unknownKeysIn(ConfigObject strait, String block, Set<String> known) {
            if (strait.get(block) instanceof ConfigObject object) {
                unknownKeys(object, known, block);
            }
        }

        /** Reports every value whose ${VAR} is not set, and notes its path (a list's, for an item). */
        private void findUnresolved(ConfigObject fileRoot, ConfigValue value, List<String> path) {
            try {
                if (value instanceof ConfigObject object) {
                    object.forEach((key, child) -> {
                        List<String> childPath = new ArrayList<>(path);
                        childPath.add(key);
                        findUnresolved(fileRoot, child, childPath);
                    });
                } else if (value instanceof ConfigList list) {
                    list.forEach(item -> findUnresolved(fileRoot, item, path));
                } else {
                    value.unwrapped();
                }
            } catch (ConfigException.NotResolved e) {
                String expression = value.render();
                String variable = expression.replaceAll("(?s).*\\$\\{\\??([^}]*)}.*", "$1");
                if (expression.contains("\n")) {
                    // an override of a default that could not be merged: the rendering lists both
                    expression = "${" + variable + "}";
                }
                error(originInFile(fileRoot, path, value.origin()), "Unset variable in " + expression + ": " + variable
                        + " is neither set in the environment nor in the file; set it, or write ${?" + variable
                        + "} where it may be absent");
                unset.add(ConfigUtil.joinPath(path));
            }
        }

        /** The origin of the value at a path as the file writes it, which a merge with a default would blur. */
        private ConfigOrigin originInFile(ConfigObject fileRoot, List<String> path, ConfigOrigin fallback) {
            ConfigValue at = fileRoot;
            try {
                for (String key : path) {
                    if (!(at instanceof ConfigObject object) || !object.containsKey(key)) {
                        return fallback;
                    }
                    at = object.get(key);
                }
                return at.origin();
            } catch (ConfigException e) {
                return fallback;
            }
        }

        private void error(ConfigOrigin origin, String message) {
            // The same error inherited by several entries (a bad value in a defaults block) is said once.
            Problem problem = Problem.error(location(origin, description), printable(message));
            if (reported.add(problem)) {
                problems.add(problem);
            }
        }
    }

    /** Whether a number has no fraction: 2.5 tasks or port 8080.5 are refused, not rounded down. */
    private static boolean whole(Number number) {
        return number.doubleValue() == Math.rint(number.doubleValue());
    }

    private static String render(ConfigValue value) {
        try {
            return value.render(com.typesafe.config.ConfigRenderOptions.concise());
        } catch (ConfigException e) {
            return value.render();
        }
    }

    /** Entries in the order they are written (by line), then by name. */
    private static List<Map.Entry<String, ConfigValue>> inFileOrder(ConfigObject object) {
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(object.entrySet());
        entries.sort(Comparator.<Map.Entry<String, ConfigValue>>comparingInt(e -> e.getValue().origin().lineNumber())
                .thenComparing(Map.Entry::getKey));
        return entries;
    }

    /** A close known name, as " (did you mean X?)", or nothing. */
    public static String didYouMean(String given, Set<String> known) {
        return known.stream()
                .filter(k -> distance(given, k) <= Math.max(1, k.length() / 3))
                .min(Comparator.comparingInt(k -> distance(given, k)))
                .map(k -> " (did you mean " + k + "?)")
                .orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }
}
