package org.jitsu.backend.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.ParserConfigurationException;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Renders a domain XML template: every {@code ${key}} is replaced by the XML-escaped value of
 * {@code key} from the service's {@code vars:}. There is no escape syntax and no expression language:
 * a placeholder is a key made of letters, digits, {@code -} and {@code _}.
 *
 * <p>Defaults: {@code name} is the service id; {@code mac} is a locally administered MAC address
 * derived from the service id ({@code 02:xx:xx:xx:xx:xx}, stable across restarts). Every placeholder
 * must have a value and every var must be used, else a {@link ConfigException} names the key.
 */
final class DomainTemplate {
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_-]*)}");

    private DomainTemplate() {
    }

    static DomainSpec.Template load(String serviceId, Settings spec) {
        return load(serviceId, spec, new CompiledTemplate.Cache());
    }

    /**
     * The service's domain from its template: checked like a rendered one (every placeholder has a
     * value, every var is used, the XML is a well-formed domain with a name), but rendered only when
     * the domain is defined, and parsed per service only when the template's shape needs it.
     */
    static DomainSpec.Template load(String serviceId, Settings spec, CompiledTemplate.Cache cache) {
        String templateKey = spec.keyPath("template");
        String file = spec.string("template");
        CompiledTemplate template;
        try {
            template = cache.get(file);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(templateKey, file, "a readable domain XML file (" + e + ")");
        }
        Settings vars = spec.child("vars");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("name", serviceId);
        for (String key : vars.keys()) {
            Object v = vars.raw(key).orElse(null);
            if (v == null || v instanceof Map || v instanceof List) {
                throw new ConfigException(vars.keyPath(key), v, "a string or number for ${" + key + "}");
            }
            values.put(key, String.valueOf(v));
        }
        if (template.keys.contains("mac") && !values.containsKey("mac")) {
            values.put("mac", macFor(serviceId));
        }
        boolean plainValues = true;
        for (String key : template.occurrences) {
            String value = values.get(key);
            if (value == null) {
                throw new ConfigException(vars.keyPath(key), null, "a value for ${" + key + "}, used in template " + file);
            }
            plainValues &= value.indexOf('$') < 0 && xmlChars(value);
        }
        if (!template.shortcut || !plainValues) {
            values.putIfAbsent("mac", macFor(serviceId));
            String xml = render(template.text, values, vars, templateKey, file);
            DomainSpec.Template parsed = parse(xml, templateKey, file);
            return new DomainSpec.Template(parsed.name(), parsed.uuid(), () -> xml);
        }
        if (template.stray.isPresent()) {
            throw new ConfigException(templateKey, file,
                    "placeholders written ${key} (letters, digits, - and _); found " + template.stray.get());
        }
        for (String key : vars.keys()) {
            if (!template.keys.contains(key)) {
                throw new ConfigException(vars.keyPath(key), vars.raw(key).orElse(null),
                        "a variable that template " + file + " uses: " + String.join(", ", template.keys));
            }
        }
        String filled = template.fill(template.name.orElseThrow(), values);
        String name = filled.equals(serviceId) ? serviceId : filled; // <name>${name}</name>: one string, not two
        if (name.isEmpty()) {
            throw new ConfigException(templateKey, file, "a domain XML with a <name> (use <name>${name}</name>)");
        }
        Optional<String> uuid = template.uuid.map(u -> template.fill(u, values)).filter(u -> !u.isEmpty());
        Map<String, String> userVars = new LinkedHashMap<>();
        for (String key : vars.keys()) {
            userVars.put(key, values.get(key));
        }
        Map<String, String> frozen = Map.copyOf(userVars); // usually empty: nothing kept per service
        return new DomainSpec.Template(name, uuid, () -> substitute(template.text, serviceId, frozen));
    }

    /** The template with the (already checked) values of a service: its id, its MAC, its vars. */
    private static String substitute(String text, String serviceId, Map<String, String> vars) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 64);
        while (m.find()) {
            String key = m.group(1);
            String value = vars.containsKey(key) ? vars.get(key)
                    : key.equals("name") ? serviceId : macFor(serviceId);
            m.appendReplacement(out, Matcher.quoteReplacement(escape(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Only characters XML 1.0 allows (else the per-service parse reports the value). */
    private static boolean xmlChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xFFFE || c == 0xFFFF
                    || Character.isSurrogate(c) || c == '\uE000' || c == '\uE001') {
                return false;
            }
        }
        return true;
    }

    /** Substitutes {@code values}; {@code vars} is where user values came from (for error keys and unused vars). */
    static String render(String text, Map<String, String> values, Settings vars, String templateKey, String file) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 64);
        Set<String> used = new LinkedHashSet<>();
        while (m.find()) {
            String key = m.group(1);
            String value = values.get(key);
            if (value == null) {
                throw new ConfigException(vars.keyPath(key), null, "a value for ${" + key + "}, used in template " + file);
            }
            used.add(key);
            m.appendReplacement(out, Matcher.quoteReplacement(escape(value)));
        }
        m.appendTail(out);
        int stray = out.indexOf("${");
        if (stray >= 0) {
            String near = out.substring(stray, Math.min(out.length(), stray + 24));
            throw new ConfigException(templateKey, file,
                    "placeholders written ${key} (letters, digits, - and _); found " + near);
        }
        List<String> unused = new ArrayList<>();
        for (String key : vars.keys()) {
            if (!used.contains(key)) {
                unused.add(key);
            }
        }
        if (!unused.isEmpty()) {
            String key = unused.get(0);
            throw new ConfigException(vars.keyPath(key), vars.raw(key).orElse(null),
                    "a variable that template " + file + " uses: " + String.join(", ", used));
        }
        return out.toString();
    }

    private static DomainSpec.Template parse(String xml, String templateKey, String file) {
        Document doc;
        try {
            doc = CompiledTemplate.parse(xml);
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new ConfigException(templateKey, file, "a well-formed domain XML file (" + e.getMessage() + ")");
        }
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getLocalName()) || !root.hasAttribute("type")) {
            throw new ConfigException(templateKey, file, "a libvirt domain XML file: <domain type='...'> at the root");
        }
        String name = childText(root, "name").orElseThrow(() ->
                new ConfigException(templateKey, file, "a domain XML with a <name> (use <name>${name}</name>)"));
        return new DomainSpec.Template(name, childText(root, "uuid"), () -> xml);
    }

    static Optional<String> childText(Element root, String tag) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getLocalName())) {
                String t = e.getTextContent().trim();
                return t.isEmpty() ? Optional.empty() : Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** A stable, locally administered unicast MAC address for a service. */
    static String macFor(String serviceId) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(serviceId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
        return String.format("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
