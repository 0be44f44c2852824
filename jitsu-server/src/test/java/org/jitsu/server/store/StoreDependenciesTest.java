package org.jitsu.server.store;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dependency rule of the store packages, as their {@code package-info.java} states it, read from the
 * sources (the tests run in the module's directory): {@code store} uses the core's ports and the config
 * records and never names {@code store.etcd} (it finds it through {@link StateStoreProvider});
 * {@code store.etcd} uses jetcd, {@code store}, the core and the config. Imports and fully qualified
 * names in code count; comments do not.
 */
@Tag("fast")
class StoreDependenciesTest {
    private static final Path STORE = Path.of("src/main/java/org/jitsu/server/store");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)(?:\\.\\*)?;", Pattern.MULTILINE);
    /** A qualified name of one of our types in code: {@code org.jitsu.x.y.Type}. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(org\\.jitsu(?:\\.[a-z]\\w*)+\\.[A-Z]\\w*)");

    private static final Pattern COMMENT_OR_LITERAL = Pattern.compile(
            "/\\*.*?\\*/|//[^\n]*|\"(?:\\\\.|[^\"\\\\\n])*\"|'(?:\\\\.|[^'\\\\\n])+'", Pattern.DOTALL);

    private static final List<String> STORE_MAY_USE = List.of("java.", "org.jitsu.server.store.", "org.jitsu.server.core.",
            "org.jitsu.server.config.", "org.jitsu.settings.", "org.yaml.snakeyaml.", "reactor.", "org.slf4j.");
    private static final List<String> ETCD_MAY_USE = List.of("java.", "javax.net.ssl.", "io.etcd.jetcd.", "io.grpc.",
            "io.netty.handler.ssl.", "com.google.protobuf.", "org.jitsu.server.store.", "org.jitsu.server.core.",
            "org.jitsu.server.config.", "org.jitsu.settings.", "reactor.", "org.slf4j.");

    @Test
    void theStorePackageNeverNamesTheEtcdPackage() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources(STORE)) {
            String code = code(f);
            for (String name : names(code)) {
                if (name.startsWith("org.jitsu.server.store.etcd.") || name.equals("org.jitsu.server.store.etcd")) {
                    found.add(f.getFileName() + ": " + name);
                }
            }
        }
        assertThat(found).as("store -> store.etcd (a cycle: store.etcd depends on store)").isEmpty();
    }

    @Test
    void eachStorePackageUsesOnlyWhatItsPackageInfoAllows() throws IOException {
        assertThat(outside(sources(STORE), STORE_MAY_USE)).as("org.jitsu.server.store").isEmpty();
        assertThat(outside(sources(STORE.resolve("etcd")), ETCD_MAY_USE)).as("org.jitsu.server.store.etcd").isEmpty();
    }

    @Test
    void bothPackagesSayTheirRoleAndDependencies() throws IOException {
        for (Path p : List.of(STORE.resolve("package-info.java"), STORE.resolve("etcd/package-info.java"))) {
            assertThat(p).isRegularFile();
            assertThat(Files.readString(p, StandardCharsets.UTF_8)).as(p.toString()).contains("Dependencies:");
        }
    }

    /** The {@code .java} files directly in {@code dir}, not in its subpackages. */
    private static List<Path> sources(Path dir) throws IOException {
        assertThat(dir).as("run in the module's directory").isDirectory();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static List<String> outside(List<Path> files, List<String> allowed) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            for (String name : names(code(f))) {
                if (allowed.stream().noneMatch(name::startsWith)) {
                    out.add(f.getFileName() + ": " + name);
                }
            }
        }
        return out;
    }

    /** Imported names and our qualified names used in code. */
    private static List<String> names(String code) {
        List<String> out = new ArrayList<>();
        Matcher m = IMPORT.matcher(code);
        while (m.find()) {
            out.add(m.group(1));
        }
        Matcher q = QUALIFIED.matcher(code.replaceAll("(?m)^(package|import) .*$", ""));
        while (q.find()) {
            out.add(q.group(1));
        }
        return out;
    }

    /** The source without comments, and with string and char literals emptied (scanned left to right, once). */
    private static String code(Path f) throws IOException {
        return COMMENT_OR_LITERAL.matcher(Files.readString(f, StandardCharsets.UTF_8))
                .replaceAll(r -> r.group().startsWith("/") ? " " : r.group().startsWith("'") ? "''" : "\"\"");
    }
}
