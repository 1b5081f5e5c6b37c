package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads values of a topology with typesafe-config, each as its {@link SettingType} says, and notes what is
 * wrong instead of throwing: one error per bad value at its {@code file:line}, in Kafka's form
 * {@code Invalid value V for K: what to write instead}. A value that cannot be read is null; the
 * topology is refused once every value has been read.
 */
final class SettingReader {

    private final Findings findings;
    /** reference.conf, Strait's defaults. */
    private final Config reference;
    /** Paths of values whose ${VAR} is not set, already reported. */
    private final Set<String> unset = new LinkedHashSet<>();

    SettingReader(Findings findings, Config reference) {
        this.findings = findings;
        this.reference = reference;
    }

    /** reference.conf, resolved. */
    static Config reference() {
        return ConfigFactory.parseResources(SettingReader.class.getClassLoader(), "reference.conf");
    }

    /** reference.conf's default for a key that has one. */
    <T> T referenceDefault(TopologySchema.Key<T> key) {
        if (!key.defaulted()) {
            throw new IllegalArgumentException(key.name() + " has no default");
        }
        try {
            return key.type().read(reference.getConfig(key.block().defaultsPath), key.name());
        } catch (SettingType.Invalid e) {
            throw new IllegalStateException("reference.conf: invalid default for " + key.path() + ": " + e.reason, e);
        }
    }

    /** The value of a key of the schema, or null when it is missing, unset or invalid (then reported). */
    <T> T read(Config config, TopologySchema.Key<T> key, String owner) {
        return read(config, key.path(), owner, key.type());
    }

    /**
     * The value at {@code path}, or null when it is unset (reported by {@link #findUnresolved}) or invalid
     * (reported here, as {@code Invalid value V for PATH[ of OWNER]: ...}).
     */
    <T> T read(Config config, String path, String owner, SettingType<T> type) {
        try {
            T value = type.read(config, path);
            for (SettingType.Invalid finding : type.findings(value)) {
                invalid(config, path, owner, finding);
            }
            return value;
        } catch (ConfigException.NotResolved e) {
            return null;
        } catch (ConfigException.Null e) {
            findings.error(e.origin(), "Invalid value null for " + subject(path, owner, type.shapeNamesOwner) + ": "
                    + type.nullHint);
        } catch (ConfigException e) {
            if (!config.hasPath(path)) {
                throw e;
            }
            ConfigValue value = config.getValue(path);
            findings.error(value.origin(), "Invalid value " + render(value) + " for "
                    + subject(path, owner, type.shapeNamesOwner) + ": " + type.hint);
        } catch (SettingType.Invalid e) {
            invalid(config, path, owner, e);
        }
        return null;
    }

    private void invalid(Config config, String path, String owner, SettingType.Invalid e) {
        ConfigValue value = config.getValue(path);
        findings.error(value.origin(), "Invalid value " + (e.shown != null ? e.shown : render(value)) + " for "
                + subject(path, owner, e.namesOwner) + ": " + e.reason);
    }

    private static String subject(String path, String owner, boolean namesOwner) {
        return namesOwner ? path + " of " + owner : path;
    }

    /** An object keyed by name (clusters, flows, a block of raw settings), or null when absent or not an object. */
    ConfigObject object(Config config, String key) {
        if (!config.hasPath(key)) {
            return null;
        }
        ConfigValue value = config.getValue(key);
        if (value.valueType() != ConfigValueType.OBJECT) {
            findings.error(value.origin(), "Invalid value " + render(value) + " for " + key + ": "
                    + SettingType.block().hint);
            return null;
        }
        return (ConfigObject) value;
    }

    /**
     * A block of raw Kafka settings as Kafka's dotted names, whether keys are quoted ("a.b" = 1) or nested
     * (a.b = 1); a list becomes Kafka's comma-separated form. Each key's origin goes into {@code origins}.
     */
    SortedMap<String, String> rawSettings(Config config, String key, String where, Map<String, ConfigOrigin> origins) {
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
                    findings.error(value.origin(), "Invalid value null for " + name + " in " + where
                            + ": write a value or remove the key");
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
    static Set<String> ownKeys(ConfigObject entry, String block) {
        Set<String> keys = new HashSet<>();
        if (entry.get(block) instanceof ConfigObject object) {
            try {
                object.toConfig().entrySet().forEach(e -> keys.add(String.join(".", ConfigUtil.splitPath(e.getKey()))));
            } catch (ConfigException e) {
                // an unset ${VAR}: reported by findUnresolved
            }
        }
        return keys;
    }

    /** Reports each key of {@code object} that is not {@code known}, with the nearest known one. */
    void unknownKeys(ConfigObject object, Set<String> known, String where) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            if (!known.contains(entry.getKey())) {
                findings.error(entry.getValue().origin(), "Unknown key " + entry.getKey() + " in " + where
                        + ": known keys are " + String.join(", ", new TreeSet<>(known))
                        + didYouMean(entry.getKey(), known));
            }
        }
    }

    /** Unknown keys in a block of the file's strait { }, such as a misspelt key in flow-defaults. */
    void unknownKeysIn(ConfigObject strait, String block, Set<String> known) {
        if (strait.get(block) instanceof ConfigObject object) {
            unknownKeys(object, known, block);
        }
    }

    /** Whether the value at this path (under strait) was an unset ${VAR}. */
    boolean isUnset(String... path) {
        return unset.contains(ConfigUtil.joinPath(path));
    }

    Set<String> unsetPaths() {
        return unset;
    }

    /** Reports every value whose ${VAR} is not set, and notes its path (a list's, for an item). */
    void findUnresolved(ConfigObject fileRoot, ConfigValue value, List<String> path) {
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
            findings.error(originInFile(fileRoot, path, value.origin()), "Unset variable in " + expression + ": "
                    + variable + " is neither set in the environment nor in the file; set it, or write ${?" + variable
                    + "} where it may be absent");
            unset.add(ConfigUtil.joinPath(path));
        }
    }

    /** The origin of the value at a path as the file writes it, which a merge with a default would blur. */
    private static ConfigOrigin originInFile(ConfigObject fileRoot, List<String> path, ConfigOrigin fallback) {
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

    /** A value as HOCON on one line, as far as it can be rendered. */
    static String render(ConfigValue value) {
        try {
            return value.render(ConfigRenderOptions.concise());
        } catch (ConfigException e) {
            return value.render();
        }
    }

    /** Entries in the order they are written (by line), then by name. */
    static List<Map.Entry<String, ConfigValue>> inFileOrder(ConfigObject object) {
        List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(object.entrySet());
        entries.sort(Comparator.<Map.Entry<String, ConfigValue>>comparingInt(e -> e.getValue().origin().lineNumber())
                .thenComparing(Map.Entry::getKey));
        return entries;
    }

    /** A close known name, as " (did you mean X?)", or nothing. */
    static String didYouMean(String given, Set<String> known) {
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
