package org.jitsu.backend.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * A domain XML template read and examined once per file, shared by every service that uses it: its
 * placeholders in order, and, when every placeholder sits in element text or an attribute value, the
 * template's {@code <name>} and {@code <uuid>} with markers where the placeholders are. Then a
 * service's domain name and UUID follow from its values without rendering and parsing its XML
 * (XML-escaped values in text or attribute values cannot change the document's structure), and the
 * XML itself is rendered only when the domain is defined. Other templates (placeholders in names,
 * comments or CDATA, or not well-formed with markers) are rendered and parsed per service, as before.
 */
final class CompiledTemplate {
    /** Marks placeholder {@code i} in the examined document: private-use characters, valid in XML text. */
    private static final char MARK_OPEN = '\uE000';
    private static final char MARK_CLOSE = '\uE001';

    final String file;
    final String text;
    /** Placeholder keys in document order, one per occurrence. */
    final List<String> occurrences;
    /** Distinct placeholder keys, in order of first use. */
    final Set<String> keys;
    /** Where the text has a "${" that is not a placeholder: its first 24 characters; empty when none. */
    final Optional<String> stray;
    /** The root's {@code <name>} text with marks, when the shortcut applies. */
    final Optional<String> name;
    /** The root's {@code <uuid>} text with marks, when the shortcut applies and it has one. */
    final Optional<String> uuid;
    /** True when names and UUIDs may be computed from the marked text (see the class comment). */
    final boolean shortcut;
    private final long size;
    private final long modified;

    private CompiledTemplate(String file, String text, long size, long modified) {
        this.file = file;
        this.text = text;
        this.size = size;
        this.modified = modified;
        List<String> found = new ArrayList<>();
        Matcher m = DomainTemplate.PLACEHOLDER.matcher(text);
        StringBuilder marked = new StringBuilder(text.length());
        List<String> distinct = new ArrayList<>();
        while (m.find()) {
            String key = m.group(1);
            found.add(key);
            if (!distinct.contains(key)) {
                distinct.add(key);
            }
            m.appendReplacement(marked, Matcher.quoteReplacement(MARK_OPEN + Integer.toString(distinct.indexOf(key))
                    + MARK_CLOSE));
        }
        m.appendTail(marked);
        this.occurrences = List.copyOf(found);
        this.keys = new LinkedHashSet<>(distinct);
        int s = marked.indexOf("${");
        this.stray = s < 0 ? Optional.empty() : Optional.of(strayNear(text));
        Optional<Document> doc = stray.isEmpty() ? parseQuietly(marked.toString()) : Optional.empty();
        boolean ok = false;
        Optional<String> n = Optional.empty();
        Optional<String> u = Optional.empty();
        if (doc.isPresent()) {
            Element root = doc.get().getDocumentElement();
            ok = "domain".equals(root.getLocalName()) && root.hasAttribute("type")
                    && countSafeMarks(root) == found.size();
            n = DomainTemplate.childText(root, "name");
            u = DomainTemplate.childText(root, "uuid");
            ok = ok && n.isPresent();
        }
        this.shortcut = ok;
        this.name = ok ? n : Optional.empty();
        this.uuid = ok ? u : Optional.empty();
    }

    private static String strayNear(String text) {
        Matcher m = DomainTemplate.PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "");
        }
        m.appendTail(out);
        int at = out.indexOf("${");
        return out.substring(at, Math.min(out.length(), at + 24));
    }

    /** The name or UUID text with each mark replaced by the raw value of its key, trimmed as the parser's. */
    String fill(String marked, Map<String, String> values) {
        List<String> order = new ArrayList<>(keys);
        StringBuilder out = new StringBuilder(marked.length() + 16);
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c != MARK_OPEN) {
                out.append(c);
                continue;
            }
            int close = marked.indexOf(MARK_CLOSE, i);
            out.append(values.get(order.get(Integer.parseInt(marked.substring(i + 1, close)))));
            i = close;
        }
        return out.toString().trim();
    }

    /** Marks in element text and attribute values (not in comments, CDATA or processing instructions). */
    private static int countSafeMarks(Node node) {
        int n = 0;
        if (node.getNodeType() == Node.TEXT_NODE) {
            return count(node.getNodeValue());
        }
        if (node.getNodeType() == Node.ELEMENT_NODE) {
            NamedNodeMap attributes = node.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                n += count(((Attr) attributes.item(i)).getValue());
            }
        }
        for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
            n += countSafeMarks(c);
        }
        return n;
    }

    private static int count(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == MARK_OPEN) {
                n++;
            }
        }
        return n;
    }

    private static Optional<Document> parseQuietly(String xml) {
        try {
            return Optional.of(parse(xml));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            return Optional.empty(); // examined per service instead, which reports the error
        }
    }

    /** Parses domain XML safely: no DOCTYPE, no external entities, no XInclude, no error output (also used by {@link DomainTemplate}). */
    static Document parse(String xml) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new InputSource(new StringReader(xml)));
    }

    /** Templates by file, read again when the file's size or modification time changes (e.g. before a reload). */
    static final class Cache {
        private final Map<String, CompiledTemplate> byFile = new ConcurrentHashMap<>();

        CompiledTemplate get(String file) throws IOException {
            Path path = Path.of(file);
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            long modified = a.lastModifiedTime().toMillis();
            CompiledTemplate known = byFile.get(file);
            if (known != null && known.size == a.size() && known.modified == modified) {
                return known;
            }
            CompiledTemplate t = new CompiledTemplate(file, Files.readString(path, StandardCharsets.UTF_8), a.size(),
                    modified);
            byFile.put(file, t);
            return t;
        }
    }
}
