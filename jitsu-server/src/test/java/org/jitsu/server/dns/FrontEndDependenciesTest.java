package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The front end's dependency rule, as its {@code package-info.java} states it, read from the sources
 * (the tests run in the module's directory): {@code org.jitsu.server.dns} uses the authority's answer
 * model and the settings helpers, never the core, the store, the backends or the server around it; and
 * it alone touches {@code ByteBuf} and {@code io.netty.handler.codec.dns}. Imports and fully qualified
 * names in code count; comments and string literals do not.
 */
class FrontEndDependenciesTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Path DNS = MAIN.resolve("org/jitsu/server/dns");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)(?:\\.\\*)?;", Pattern.MULTILINE);
    /** A qualified name of a type in code: {@code org.jitsu.x.Type}, {@code io.netty.buffer.ByteBuf}. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b((?:org\\.jitsu|io\\.netty)(?:\\.[a-z]\\w*)+\\.[A-Z]\\w*)");
    private static final Pattern COMMENT_OR_LITERAL = Pattern.compile(
            "/\\*.*?\\*/|//[^\n]*|\"(?:\\\\.|[^\"\\\\\n])*\"|'(?:\\\\.|[^'\\\\\n])+'", Pattern.DOTALL);

    /**
     * What the front end may name of ours: the authority (its package-info keeps its public API to the
     * answer model and the pipeline) and the settings helpers. {@code IpLiteral} is there for
     * {@code Cidr}; it moves from {@code org.jitsu.backend.spi} to {@code org.jitsu.settings}.
     */
    private static final List<String> OURS_ALLOWED = List.of("org.jitsu.server.dns.", "org.jitsu.settings.",
            "org.jitsu.backend.spi.IpLiteral");
    private static final List<String> WIRE = List.of("io.netty.buffer.", "io.netty.handler.codec.dns.");

    @Test
    void theFrontEndUsesOnlyTheAuthorityAndTheSettingsOfOurs() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources(DNS, false)) {
            for (String name : names(f)) {
                if (name.startsWith("org.jitsu.") && OURS_ALLOWED.stream().noneMatch(name::startsWith)) {
                    found.add(f.getFileName() + ": " + name);
                }
            }
        }
        assertThat(found).as("org.jitsu.server.dns may not name the core, store, backends or assembly").isEmpty();
    }

    @Test
    void onlyTheFrontEndTouchesBuffersAndTheDnsCodec() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources(MAIN, true)) {
            if (f.getParent().equals(DNS)) {
                continue;
            }
            for (String name : names(f)) {
                if (WIRE.stream().anyMatch(name::startsWith)) {
                    found.add(MAIN.relativize(f) + ": " + name);
                }
            }
        }
        assertThat(found).as("ByteBuf and netty-codec-dns outside org.jitsu.server.dns").isEmpty();
    }

    @Test
    void theAuthorityTouchesNoNetty() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources(DNS.resolve("authority"), false)) {
            for (String name : names(f)) {
                if (name.startsWith("io.netty.")) {
                    found.add(f.getFileName() + ": " + name);
                }
            }
        }
        assertThat(found).isEmpty();
    }

    /** The Java sources directly in {@code dir}, or in it and below. */
    private static List<Path> sources(Path dir, boolean below) throws IOException {
        assertThat(dir).isDirectory();
        try (Stream<Path> files = below ? Files.walk(dir) : Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** The imports and qualified type names in the code of {@code file} (comments and literals aside). */
    private static List<String> names(Path file) throws IOException {
        String code = COMMENT_OR_LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8)).replaceAll(" ");
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(code);
        while (m.find()) {
            out.add(m.group(1));
        }
        Matcher q = QUALIFIED.matcher(code);
        while (q.find()) {
            out.add(q.group(1));
        }
        return out.stream().distinct().toList();
    }
}
