package org.jitsu.server.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML document safely into a {@link Settings} root: plain YAML types only (no tags that
 * build objects), no duplicate keys, few aliases, a bounded size. Problems found in the node tree are
 * reported with the key path ({@code zones[0].name}), syntax errors with line and column.
 */
final class YamlDocuments {
    /** Key used in errors about the document as a whole. */
    static final String DOCUMENT = "(document)";

    private static final int MAX_ALIASES = 20;
    /** Room for 100,000 services (a generated config of that size is about 13 MB). */
    private static final int MAX_CODE_POINTS = 64 * 1024 * 1024;
    private static final int MAX_NESTING = 32;
    static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ,
            Tag.MAP, Tag.MERGE);

    private YamlDocuments() {
    }

    /** Parses {@code text}; the root must be a mapping. */
    static Settings parse(String text) {
        return Settings.of("", load(text));
    }

    /**
     * Parses {@code text} and appends each of {@code extraServices} (one YAML or JSON mapping each, checked
     * like the file) to its {@code services:} list.
     */
    static Settings parse(String text, List<String> extraServices) {
        Map<Object, Object> root = new java.util.LinkedHashMap<>(load(text));
        if (extraServices.isEmpty()) {
            return Settings.of("", root);
        }
        List<Object> services = new java.util.ArrayList<>();
        Object existing = root.get("services");
        if (existing instanceof List<?> l) {
            services.addAll(l);
        } else if (existing != null) {
            throw new ConfigException("services", describe(existing), "a list of services");
        }
        for (String extra : extraServices) {
            services.add(load(extra));
        }
        root.put("services", services);
        return Settings.of("", root);
    }

    static String serviceSpec(String id, String body) {
        Map<Object, Object> m = new java.util.LinkedHashMap<>(load(body));
        Object given = m.get("id");
        if (given != null && !id.equals(String.valueOf(given))) {
            throw new ConfigException("id", String.valueOf(given), "the id of the URL, " + id + " (or no id)");
        }
        Map<Object, Object> out = new java.util.LinkedHashMap<>();
        out.put("id", id);
        m.remove("id");
        out.putAll(m);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(out);
    }

    /** The root mapping of {@code text}, checked. */
    static Map<?, ?> load(String text) {
        Object data;
        try {
            // straight from the event stream: no node tree (with its marks) is built or kept
            data = PlainYamlReader.read(text, options()).orElseThrow(() -> new ConfigException(DOCUMENT, "empty file",
                    "a mapping of settings such as zones:, backends:, services:"));
        } catch (MarkedYAMLException e) {
            throw new ConfigException(where(e.getProblemMark()), e.getProblem(), "valid YAML");
        } catch (YAMLException e) {
            throw new ConfigException(DOCUMENT, e.getMessage(), "valid YAML");
        }
        if (!(data instanceof Map)) {
            throw new ConfigException(DOCUMENT, describe(data), "a mapping of settings such as zones:, backends:, services:");
        }
        return (Map<?, ?>) data;
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setProcessComments(false);
        return options;
    }

    static String where(Mark mark) {
        return mark == null ? DOCUMENT : "line " + line(mark) + ", column " + (mark.getColumn() + 1);
    }

    private static int line(Mark mark) {
        return mark == null ? 0 : mark.getLine() + 1;
    }

    private static String describe(Object data) {
        if (data instanceof List) {
            return "a list";
        }
        return "a scalar value " + data;
    }
}
