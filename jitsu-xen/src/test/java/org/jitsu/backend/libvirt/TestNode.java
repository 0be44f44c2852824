package org.jitsu.backend.libvirt;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jitsu.settings.Settings;

/**
 * Writes node files for libvirt's in-process test driver. {@code test:///ABS/PATH.xml} gives every
 * connection a private copy, so each test gets its own hypervisor.
 */
final class TestNode {
    static final String TEST_NS = "http://libvirt.org/schemas/domain/test/1.0";

    private TestNode() {
    }

    /** A domain in a node file, in libvirt state {@code runstate} (1 running ... 5 shut off, 7 PM-suspended). */
    static String domain(String name, int runstate) {
        return "<domain type='test' xmlns:test='" + TEST_NS + "'>"
                + "<name>" + name + "</name>"
                + "<memory unit='KiB'>8192</memory>"
                + "<os><type>hvm</type></os>"
                + "<test:runstate>" + runstate + "</test:runstate>"
                + "</domain>";
    }

    /** Writes a node file holding {@code domains} and returns its {@code test:///} URI. */
    static String write(Path dir, String... domains) throws IOException {
        StringBuilder xml = new StringBuilder("<node>\n");
        for (String d : domains) {
            xml.append(d).append('\n');
        }
        xml.append("</node>\n");
        Path file = Files.createTempFile(dir, "node-", ".xml");
        Files.writeString(file, xml);
        return "test://" + file.toAbsolutePath();
    }

    static Settings backendSettings(String uri) {
        return Settings.of("backends.lab", Map.of("type", "libvirt", "uri", uri));
    }

    static Settings spec(int index, Map<String, ?> values) {
        return Settings.of("services[" + index + "].libvirt", values);
    }

    /** The path of a template under {@code src/test/resources/libvirt}. */
    static String template(String file) {
        try {
            return Path.of(TestNode.class.getResource("/libvirt/" + file).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
