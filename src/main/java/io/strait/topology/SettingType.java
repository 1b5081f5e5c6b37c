package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What one of Strait's own keys holds, how typesafe-config reads it, and what to write instead when it does
 * not. {@link SettingReader} reads every type the same way; a type only converts and checks.
 *
 * @param <T> the Java value
 */
abstract class SettingType<T> {

    /** Characters of a topic name (and so of a separator). */
    static final Pattern TOPIC_CHARS = Pattern.compile("[A-Za-z0-9._-]+");

    /** Said after "Invalid value X for KEY: " when the value has the wrong shape. */
    final String hint;
    /** Whether a value of the wrong shape is said "for KEY of OWNER" (else "for KEY"). */
    final boolean shapeNamesOwner;
    /** Said after "Invalid value null for KEY: ". */
    final String nullHint;

    private SettingType(String hint, boolean shapeNamesOwner) {
        this(hint, shapeNamesOwner, hint + ", or remove the key");
    }

    private SettingType(String hint, boolean shapeNamesOwner, String nullHint) {
        this.hint = hint;
        this.shapeNamesOwner = shapeNamesOwner;
        this.nullHint = nullHint;
    }

    /**
     * The value at {@code path}. Throws {@link ConfigException} when typesafe-config cannot give it this type,
     * {@link Invalid} when it can but the value is not allowed.
     */
    abstract T read(Config config, String path) throws ConfigException, Invalid;

    /** Findings about a value that was read, reported while the value is still used (every bad pattern of a list). */
    List<Invalid> findings(T value) {
        return List.of();
    }

    /** A value of the right shape that is not allowed: {@code Invalid value SHOWN for KEY[ of OWNER]: REASON}. */
    static final class Invalid extends Exception {
        final String shown;
        final String reason;
        final boolean namesOwner;

        Invalid(String shown, String reason, boolean namesOwner) {
            super(reason, null, false, false);
            this.shown = shown;
            this.reason = reason;
            this.namesOwner = namesOwner;
        }
    }

    // ---- the types ----

    /** A single value (string, number or boolean), as a string. */
    static SettingType<String> string() {
        return new SettingType<>("write a single value", false, "write a value, or remove the key") {
            @Override
            String read(Config config, String path) {
                checkScalar(config.getValue(path));
                return config.getString(path);
            }
        };
    }

    /** {@code true} or {@code false}. */
    static SettingType<Boolean> bool() {
        return new SettingType<>("write true or false", false) {
            @Override
            Boolean read(Config config, String path) {
                return config.getBoolean(path);
            }
        };
    }

    /** A TCP port: 0 (any free port) to 65535. */
    static SettingType<Integer> port() {
        return new SettingType<>("write a port number", false) {
            @Override
            Integer read(Config config, String path) throws Invalid {
                if (!whole(config.getNumber(path))) {
                    throw new Invalid(null, hint, false);
                }
                int port = config.getInt(path);
                if (port < 0 || port > 65535) {
                    throw new Invalid(Integer.toString(port), "write a port from 1 to 65535, or 0 for any free port", false);
                }
                return port;
            }
        };
    }

    /** A HOCON duration ({@code 10s}, {@code 500ms}) of at least {@code minimum}. */
    static SettingType<Duration> duration(Duration minimum) {
        return new SettingType<>("write a duration such as 10s, 500ms or 1m", true) {
            @Override
            Duration read(Config config, String path) throws Invalid {
                Duration value = config.getDuration(path);
                if (value.compareTo(minimum) < 0) {
                    throw new Invalid(null, "it must be at least " + minimum.toSeconds() + "s", true);
                }
                return value;
            }
        };
    }

    /** {@code auto} (read as 0) or a whole number of at least 1. */
    static SettingType<Integer> tasks() {
        return new SettingType<>("write auto or a number of at least 1", true) {
            @Override
            Integer read(Config config, String path) throws Invalid {
                ConfigValue value = config.getValue(path);
                if (value.valueType() == ConfigValueType.STRING && "auto".equals(value.unwrapped())) {
                    return 0;
                }
                int tasks = whole(config.getNumber(path)) ? config.getInt(path) : 0;
                if (tasks < 1) {
                    throw new Invalid(null, hint, true);
                }
                return tasks;
            }
        };
    }

    /** A list of names, or one name alone. */
    static SettingType<List<String>> names() {
        return new SettingType<>("write a list of names such as [a, b]", true) {
            @Override
            List<String> read(Config config, String path) {
                return config.getValue(path).valueType() == ConfigValueType.STRING
                        ? List.of(config.getString(path)) : config.getStringList(path);
            }
        };
    }

    /** Cluster aliases, each named once, at least {@code atLeast} of them. */
    static SettingType<List<String>> clusters(int atLeast) {
        return new SettingType<>("write a list of names such as [a, b]", true) {
            @Override
            List<String> read(Config config, String path) throws Invalid {
                List<String> aliases = names().read(config, path);
                if (new java.util.HashSet<>(aliases).size() != aliases.size()) {
                    throw new Invalid(aliases.toString(), "a cluster appears twice; name each cluster once", true);
                }
                if (aliases.size() < atLeast) {
                    throw new Invalid(aliases.toString(), "name at least " + atLeast + " cluster" + (atLeast > 1 ? "s" : ""),
                            true);
                }
                return aliases;
            }
        };
    }

    /** One of an enum's names as written in a topology ({@code configName}). */
    static <E extends Enum<E>> SettingType<E> choice(Class<E> type, Function<E, String> configName, String reason) {
        return new SettingType<>("write a single value", false, "write a value, or remove the key") {
            @Override
            E read(Config config, String path) throws Invalid {
                String value = string().read(config, path);
                return Arrays.stream(type.getEnumConstants()).filter(e -> configName.apply(e).equals(value)).findFirst()
                        .orElseThrow(() -> new Invalid(value, reason, true));
            }
        };
    }

    /** A separator: part of topic names, so non-empty, of letters, digits, '.', '_' and '-'. */
    static SettingType<String> separator() {
        return new SettingType<>("write a single value", false, "write a value, or remove the key") {
            @Override
            String read(Config config, String path) throws Invalid {
                String value = string().read(config, path);
                if (!TOPIC_CHARS.matcher(value).matches()) {
                    throw new Invalid("\"" + value + "\"", "it becomes part of topic names, so it must be non-empty"
                            + " and hold only letters, digits, '.', '_' and '-'; write \".\" or \"_\"", true);
                }
                return value;
            }
        };
    }

    /**
     * A list of Java regular expressions (whole-name match). A pattern that does not compile is a finding; the
     * list is still returned, so that every bad pattern is reported.
     */
    static SettingType<List<String>> patterns() {
        return new SettingType<>("write a list of names such as [a, b]", true) {
            @Override
            List<String> read(Config config, String path) throws Invalid {
                return names().read(config, path);
            }

            @Override
            List<Invalid> findings(List<String> patterns) {
                List<Invalid> found = new java.util.ArrayList<>();
                for (String pattern : patterns) {
                    try {
                        Pattern.compile(pattern);
                    } catch (PatternSyntaxException e) {
                        found.add(new Invalid(pattern, "not a regular expression (" + e.getDescription() + " near index "
                                + e.getIndex() + "); write a Java regex such as \"orders\\\\..*\", or quote literals"
                                + " with \\\\Q...\\\\E", true));
                    }
                }
                return found;
            }
        };
    }

    /** Raw Kafka settings with Kafka's own dotted names, passed through; read by {@link SettingReader#rawSettings}. */
    static SettingType<Config> raw() {
        return block();
    }

    /** A block of further keys (or of entries keyed by name). */
    static SettingType<Config> block() {
        return new SettingType<>("it must be an object { ... } keyed by name", false) {
            @Override
            Config read(Config config, String path) {
                return config.getConfig(path);
            }
        };
    }

    private static void checkScalar(ConfigValue value) {
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            throw new ConfigException.WrongType(value.origin(), "a single value");
        }
    }

    /** Whether a number has no fraction: 2.5 tasks or port 8080.5 are refused, not rounded down. */
    private static boolean whole(Number number) {
        return number.doubleValue() == Math.rint(number.doubleValue());
    }
}
