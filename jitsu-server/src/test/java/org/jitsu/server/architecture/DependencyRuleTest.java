package org.jitsu.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency rule of the tree, checked on the sources of every module: what each package may not
 * import (an import scan, so a fully qualified name in code counts too), that every main package says
 * its role in a {@code package-info.java}, that no module declares another module's packages, and that
 * no main class passes 400 lines without saying why in its javadoc.
 */
@Tag("fast")
class DependencyRuleTest {
    private static final Path ROOT = Sources.ROOT;

    /** Package prefix → the prefixes its main code must never name. */
    static final Map<String, List<String>> FORBIDDEN = Map.of(
            "org.jitsu.server.core", List.of("org.jitsu.server.dns", "io.netty", "org.jitsu.server.store",
                    "org.jitsu.server.config", "org.jitsu.server.metrics", "org.jitsu.server.admin",
                    "org.jitsu.server.cli", "io.micrometer", "io.etcd"),
            "org.jitsu.server.dns.authority", List.of("io.netty", "org.jitsu.server.store", "org.jitsu.server.config",
                    "org.jitsu.server.metrics", "org.jitsu.server.admin"),
            "org.jitsu.server.proxy", List.of("org.jitsu.server.dns", "org.jitsu.server.store", "org.jitsu.server.config",
                    "org.jitsu.server.metrics", "org.jitsu.server.admin", "org.jitsu.server.cli", "io.micrometer",
                    "io.etcd", "io.netty.handler.codec.dns"),
            "org.jitsu.server.net", List.of("org.jitsu.server.dns", "org.jitsu.server.core", "org.jitsu.server.proxy",
                    "org.jitsu.server.store", "org.jitsu.server.config", "org.jitsu.server.metrics", "org.jitsu.backend"),
            "org.jitsu.server", List.of("org.jitsu.backend.testkit", "org.jitsu.bench"),
            "org.jitsu.backend", List.of("org.jitsu.server", "org.jitsu.bench"),
            "org.jitsu.settings", List.of("org.jitsu.server", "org.jitsu.backend", "org.jitsu.bench"));

    /** A main class longer than this says why in its javadoc, with this phrase. */
    static final int MAX_LINES = 400;
    static final String REASON = "Over 400 lines because";


    @Test
    void noPackageNamesWhatItMustNotDependOn() {
        assertThat(violations(Sources.main(ROOT))).isEmpty();
    }

    @Test
    void theCheckFindsAForbiddenImportAndAFullyQualifiedName(@TempDir Path dir) throws IOException {
        Path core = dir.resolve("jitsu-server/src/main/java/org/jitsu/server/core");
        Files.createDirectories(core);
        Files.writeString(core.resolve("Bad.java"), "package org.jitsu.server.core;\n\n"
                + "import org.jitsu.server.dns.authority.Answer;\n\nclass Bad {\n"
                + "    io.netty.buffer.ByteBuf buf;\n}\n");
        Files.writeString(core.resolve("Good.java"), "package org.jitsu.server.core;\n\n"
                + "import org.jitsu.backend.Vm;\n\n/** Mentions org.jitsu.server.dns in prose only. */\nclass Good {\n}\n");
        assertThat(violations(Sources.main(dir))).hasSize(2)
                .allMatch(v -> v.startsWith("jitsu-server/src/main/java/org/jitsu/server/core/Bad.java"))
                .anyMatch(v -> v.contains(": org.jitsu.server.dns.authority.Answer "))
                .anyMatch(v -> v.contains(": io.netty.buffer.ByteBuf "));
    }

    @Test
    void everyMainPackageSaysItsRole() {
        List<String> missing = new ArrayList<>();
        for (Path file : Sources.main(ROOT)) {
            Path info = file.resolveSibling("package-info.java");
            String where = ROOT.relativize(file.getParent()).toString();
            if (!Files.exists(info) && !missing.contains(where)) {
                missing.add(where);
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void noModuleDeclaresAnotherModulesPackages() {
        List<String> foreign = new ArrayList<>();
        for (Path file : Sources.main(ROOT)) {
            String module = ROOT.relativize(file).getName(0).toString();
            String pkg = Sources.packageOf(Sources.read(file));
            boolean own = switch (module) {
                case "jitsu-xen" -> pkg.startsWith("org.jitsu.backend") || pkg.startsWith("org.jitsu.settings");
                case "jitsu-server" -> pkg.startsWith("org.jitsu.server");
                case "jitsu-bench" -> pkg.startsWith("org.jitsu.bench");
                default -> false;
            };
            if (!own) {
                foreign.add(ROOT.relativize(file) + ": package " + pkg);
            }
        }
        assertThat(foreign).isEmpty();
    }

    @Test
    void longClassesSayWhy() {
        List<String> unexplained = new ArrayList<>();
        for (Path file : Sources.main(ROOT)) {
            String text = Sources.read(file);
            long lines = text.lines().count();
            if (lines > MAX_LINES && !text.contains(REASON)) {
                unexplained.add(ROOT.relativize(file) + ": " + lines + " lines");
            }
        }
        assertThat(unexplained).isEmpty();
    }

    /** Each forbidden name in code (not comments, not strings) of a rule's package, as "file: name (why)". */
    static List<String> violations(List<Path> sources) {
        List<String> out = new ArrayList<>();
        for (Path file : sources) {
            String text = Sources.read(file);
            String pkg = Sources.packageOf(text);
            for (Map.Entry<String, List<String>> rule : FORBIDDEN.entrySet()) {
                if (!(pkg.equals(rule.getKey()) || pkg.startsWith(rule.getKey() + "."))) {
                    continue;
                }
                for (String name : Sources.namesInCode(text)) {
                    for (String forbidden : rule.getValue()) {
                        if (name.equals(forbidden) || name.startsWith(forbidden + ".")) {
                            out.add(Sources.relative(file) + ": " + name + " (package " + pkg + " must not depend on "
                                    + forbidden + ")");
                        }
                    }
                }
            }
        }
        return out;
    }
}
