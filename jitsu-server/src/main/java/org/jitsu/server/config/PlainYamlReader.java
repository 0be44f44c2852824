package org.jitsu.server.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jitsu.settings.ConfigException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one YAML document straight from SnakeYAML's event stream into plain Java values
 * ({@link LinkedHashMap}, {@link ArrayList}, {@link String}, numbers, {@link Boolean}, {@code null}),
 * with the checks of {@link YamlDocuments}: plain tags only, each key once per mapping, few aliases to
 * collections, bounded nesting; merge keys ({@code <<}) as SnakeYAML applies them.
 *
 * <p>Unlike composing a node tree first (which keeps two position marks per node and, through them,
 * the reader's code-point windows: about 0.9 GB for a 100,000-service file), only the result and the
 * event being read are alive, and repeated strings (keys, a backend name, a template path) are one
 * instance, so a large config costs little more than its values.
 */
final class PlainYamlReader {
    /** Canonical instances of recent strings: a direct-mapped table, a miss replaces its slot. */
    private static final int STRING_SLOTS = 4096;
    /** Resolved implicit tags of recent plain scalars, the same way. */
    private static final int TAG_SLOTS = 1024;

    private final Parser parser;
    private final Resolver resolver = new Resolver();
    private final Scalars scalars;
    private final Map<String, Object> anchors = new HashMap<>();
    /** Anchors of collections still being read: an alias to one of them would make a cycle. */
    private final Set<String> open = new HashSet<>();
    private final String[] strings = new String[STRING_SLOTS];
    private final String[] tagKeys = new String[TAG_SLOTS];
    private final Tag[] tagValues = new Tag[TAG_SLOTS];
    private final int maxAliases;
    private final int maxNesting;
    private int collectionAliases;
    private int depth;

    private PlainYamlReader(String text, LoaderOptions options) {
        this.parser = new ParserImpl(new StreamReader(text), options);
        this.scalars = new Scalars(options);
        this.maxAliases = options.getMaxAliasesForCollections();
        this.maxNesting = options.getNestingDepthLimit();
    }

    /**
     * The value of the only document in {@code text}; empty when there is none.
     *
     * @throws ConfigException naming the key path (or line and column) of the first problem
     * @throws org.yaml.snakeyaml.error.YAMLException for syntax errors and exceeded limits
     */
    static Optional<Object> read(String text, LoaderOptions options) {
        return new PlainYamlReader(text, options).document();
    }

    private Optional<Object> document() {
        expect(Event.ID.StreamStart);
        if (parser.checkEvent(Event.ID.StreamEnd)) {
            return Optional.empty();
        }
        expect(Event.ID.DocumentStart);
        Object root = node("");
        expect(Event.ID.DocumentEnd);
        if (!parser.checkEvent(Event.ID.StreamEnd)) {
            Event next = parser.getEvent();
            throw new ConfigException(YamlDocuments.where(next.getStartMark()),
                    "expected a single document in the stream; but found another document", "valid YAML");
        }
        return Optional.ofNullable(root);
    }

    private void expect(Event.ID id) {
        Event e = parser.getEvent();
        if (!e.is(id)) {
            throw new ConfigException(YamlDocuments.where(e.getStartMark()), "unexpected " + e.getEventId(), "valid YAML");
        }
    }

    private Object node(String path) {
        Event e = parser.getEvent();
        switch (e.getEventId()) {
            case Alias:
                return alias(path, (AliasEvent) e);
            case Scalar:
                return scalar(path, (ScalarEvent) e);
            case SequenceStart:
                return sequence(path, (CollectionStartEvent) e);
            case MappingStart:
                return mapping(path, (CollectionStartEvent) e);
            default:
                throw new ConfigException(YamlDocuments.where(e.getStartMark()), "unexpected " + e.getEventId(),
                        "valid YAML");
        }
    }

    private Object alias(String path, AliasEvent e) {
        String anchor = e.getAnchor();
        if (open.contains(anchor)) {
            throw new ConfigException(at(path), "*" + anchor + " (line " + line(e.getStartMark()) + ")",
                    "a value that does not contain itself");
        }
        if (!anchors.containsKey(anchor)) {
            throw new ConfigException(YamlDocuments.where(e.getStartMark()), "found undefined alias " + anchor,
                    "valid YAML");
        }
        Object value = anchors.get(anchor);
        if ((value instanceof Map || value instanceof List) && ++collectionAliases > maxAliases) {
            throw new ConfigException(YamlDocuments.DOCUMENT, "Number of aliases for non-scalar nodes exceeds the"
                    + " specified max=" + maxAliases, "valid YAML");
        }
        return value;
    }

    private Object scalar(String path, ScalarEvent e) {
        Tag tag = e.getTag() == null || e.getTag().equals("!")
                ? implicitTag(e.getValue(), e.getImplicit().canOmitTagInPlainScalar())
                : new Tag(e.getTag());
        checkTag(path, tag, e);
        Object value;
        if (tag.equals(Tag.STR)) {
            value = canonical(e.getValue());
        } else if (tag.equals(Tag.NULL)) {
            value = null;
        } else {
            value = scalars.construct(new ScalarNode(tag, e.getValue(), e.getStartMark(), e.getEndMark(),
                    e.getScalarStyle()));
        }
        remember(e, value);
        return value;
    }

    private List<Object> sequence(String path, CollectionStartEvent e) {
        checkTag(path, collectionTag(NodeId.sequence, e), e);
        enter(e);
        List<Object> list = new ArrayList<>();
        for (int i = 0; !parser.checkEvent(Event.ID.SequenceEnd); i++) {
            list.add(node(path + "[" + i + "]"));
        }
        parser.getEvent();
        leave(e, list);
        return list;
    }

    private Map<Object, Object> mapping(String path, CollectionStartEvent e) {
        checkTag(path, collectionTag(NodeId.mapping, e), e);
        enter(e);
        Map<Object, Object> map = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        while (!parser.checkEvent(Event.ID.MappingEnd)) {
            Event k = parser.peekEvent();
            String text = k instanceof ScalarEvent ? ((ScalarEvent) k).getValue() : "(complex key)";
            int keyLine = line(k.getStartMark());
            String keyPath = path.isEmpty() ? text : path + "." + text;
            if (isMergeKey(k)) {
                parser.getEvent();
                merge(path, node(path), map);
                continue;
            }
            Integer first = lines.putIfAbsent(text, keyLine);
            if (first != null) {
                throw new ConfigException(keyPath, "duplicate key on line " + keyLine,
                        "each key once per mapping (first on line " + first + ")");
            }
            Object key = node(keyPath);
            if (key instanceof Map || key instanceof List) {
                throw new ConfigException(keyPath, "a mapping or list as a key (line " + keyLine + ")", "a scalar key");
            }
            map.put(key, node(keyPath)); // an own key overrides a merged one, in its place
        }
        parser.getEvent();
        leave(e, map);
        return map;
    }

    private boolean isMergeKey(Event k) {
        if (!(k instanceof ScalarEvent)) {
            return false;
        }
        ScalarEvent s = (ScalarEvent) k;
        if (s.getTag() != null && !s.getTag().equals("!")) {
            return s.getTag().equals(Tag.MERGE.getValue());
        }
        // the resolver's merge pattern is exactly "<<", for plain scalars only
        return s.getValue().equals("<<") && s.getImplicit().canOmitTagInPlainScalar();
    }

    /**
     * What SnakeYAML's resolver gives a scalar without a tag, with its regular expressions run once per
     * distinct text (keys and repeated values hit a small cache; a dotted quad needs none).
     */
    private Tag implicitTag(String value, boolean plain) {
        if (!plain) {
            return Tag.STR; // quoted or block scalars are strings
        }
        if (isDottedDigits(value)) {
            return Tag.STR; // an IPv4 address: no int, float or timestamp has two dots and only digits
        }
        int h = value.hashCode();
        int slot = (h ^ (h >>> 16)) & (TAG_SLOTS - 1);
        if (value.equals(tagKeys[slot])) {
            return tagValues[slot];
        }
        Tag tag = resolver.resolve(NodeId.scalar, value, true);
        tagKeys[slot] = value;
        tagValues[slot] = tag;
        return tag;
    }

    private static boolean isDottedDigits(String s) {
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots >= 2;
    }

    /** {@code <<: *a} or {@code <<: [*a, *b]}: keys not set yet are taken, the first source winning. */
    private static void merge(String path, Object source, Map<Object, Object> into) {
        String key = path.isEmpty() ? "<<" : path + ".<<";
        if (source instanceof Map) {
            ((Map<?, ?>) source).forEach(into::putIfAbsent);
            return;
        }
        if (source instanceof List) {
            for (Object item : (List<?>) source) {
                if (!(item instanceof Map)) {
                    throw new ConfigException(key, item, "a mapping or a list of mappings to merge");
                }
                ((Map<?, ?>) item).forEach(into::putIfAbsent);
            }
            return;
        }
        throw new ConfigException(key, source, "a mapping or a list of mappings to merge");
    }

    private Tag collectionTag(NodeId id, CollectionStartEvent e) {
        return e.getTag() == null || e.getTag().equals("!") ? resolver.resolve(id, null, e.getImplicit())
                : new Tag(e.getTag());
    }

    private static void checkTag(String path, Tag tag, Event e) {
        if (!YamlDocuments.PLAIN_TAGS.contains(tag)) {
            throw new ConfigException(at(path), tag.getValue(), "a plain YAML value without tags (line "
                    + line(e.getStartMark()) + ")");
        }
    }

    private void enter(CollectionStartEvent e) {
        if (++depth > maxNesting) {
            throw new ConfigException(YamlDocuments.DOCUMENT, "Nesting Depth exceeded max " + maxNesting, "valid YAML");
        }
        if (e.getAnchor() != null) {
            open.add(e.getAnchor());
        }
    }

    private void leave(NodeEvent e, Object value) {
        depth--;
        if (e.getAnchor() != null) {
            open.remove(e.getAnchor());
        }
        remember(e, value);
    }

    private void remember(NodeEvent e, Object value) {
        if (e.getAnchor() != null) {
            anchors.put(e.getAnchor(), value);
        }
    }

    private String canonical(String s) {
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (STRING_SLOTS - 1);
        String known = strings[slot];
        if (s.equals(known)) {
            return known;
        }
        strings[slot] = s;
        return s;
    }

    private static String at(String path) {
        return path.isEmpty() ? YamlDocuments.DOCUMENT : path;
    }

    private static int line(Mark mark) {
        return mark == null ? 0 : mark.getLine() + 1;
    }

    /** SnakeYAML's safe constructors of plain scalars (int, float, bool), one node at a time. */
    private static final class Scalars extends SafeConstructor {
        Scalars(LoaderOptions options) {
            super(options);
        }

        Object construct(ScalarNode node) {
            return getConstructor(node).construct(node);
        }
    }
}
