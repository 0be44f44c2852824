package org.jitsu.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test class of every module says what it needs with exactly one tier tag, so that
 * {@code ./jitsu test --fast} ({@code -Dgroups=fast}) leaves out nothing by accident: {@code fast}
 * (the JVM alone), {@code native} (libvirt's library, Debian's programs, or the real server on real
 * sockets), {@code etcd} (an etcd server the test starts), {@code lab} (libvirtd and QEMU). An
 * integration test ({@code *IT}) is never {@code fast}.
 */
@Tag("fast")
class TestTagsTest {
    static final Set<String> TIERS = Set.of("fast", "native", "etcd", "lab");
    private static final Pattern TEST_METHOD = Pattern.compile("@(Test|ParameterizedTest|RepeatedTest|TestFactory)\\b");
    private static final Pattern TAG = Pattern.compile("^@Tag\\(\"([^\"]*)\"\\)", Pattern.MULTILINE);

    @Test
    void everyTestClassHasOneTierTag() {
        assertThat(problems(Sources.tests(Sources.ROOT))).isEmpty();
    }

    @Test
    void theCheckFindsAMissingAnUnknownAndAFastIntegrationTest(@TempDir Path dir) throws IOException {
        Path pkg = dir.resolve("jitsu-xen/src/test/java/org/jitsu/backend");
        Files.createDirectories(pkg);
        Files.writeString(pkg.resolve("UntaggedTest.java"), "package org.jitsu.backend;\n\nclass UntaggedTest {\n"
                + "    @Test\n    void t() {\n    }\n}\n");
        Files.writeString(pkg.resolve("SlowTest.java"), "package org.jitsu.backend;\n\n@Tag(\"slow\")\n"
                + "class SlowTest {\n    @Test\n    void t() {\n    }\n}\n");
        Files.writeString(pkg.resolve("QuickIT.java"), "package org.jitsu.backend;\n\n@Tag(\"fast\")\n"
                + "class QuickIT {\n    @Test\n    void t() {\n    }\n}\n");
        Files.writeString(pkg.resolve("GoodTest.java"), "package org.jitsu.backend;\n\n@Tag(\"native\")\n"
                + "class GoodTest {\n    @ParameterizedTest\n    void t() {\n    }\n}\n");
        Files.writeString(pkg.resolve("Helper.java"), "package org.jitsu.backend;\n\nclass Helper {\n}\n");
        assertThat(problems(Sources.tests(dir))).containsExactly(
                "jitsu-xen/src/test/java/org/jitsu/backend/QuickIT.java: an integration test tagged fast",
                "jitsu-xen/src/test/java/org/jitsu/backend/SlowTest.java: tier tags [slow], expected one of "
                        + List.copyOf(new TreeSet<>(TIERS)),
                "jitsu-xen/src/test/java/org/jitsu/backend/UntaggedTest.java: tier tags [], expected one of "
                        + List.copyOf(new TreeSet<>(TIERS)));
    }

    /** For each test source with test methods whose tags are wrong, "file: what is wrong". */
    static List<String> problems(List<Path> sources) {
        List<String> out = new ArrayList<>();
        for (Path file : sources) {
            String code = Sources.code(Sources.read(file));
            if (!TEST_METHOD.matcher(code).find()) {
                continue;
            }
            List<String> tags = new ArrayList<>();
            Matcher m = TAG.matcher(Sources.read(file));
            while (m.find()) {
                tags.add(m.group(1));
            }
            String where = Sources.relative(file);
            if (tags.size() != 1 || !TIERS.contains(tags.get(0))) {
                out.add(where + ": tier tags " + tags + ", expected one of " + List.copyOf(new TreeSet<>(TIERS)));
            } else if (file.getFileName().toString().endsWith("IT.java") && tags.get(0).equals("fast")) {
                out.add(where + ": an integration test tagged fast");
            }
        }
        return out;
    }
}
