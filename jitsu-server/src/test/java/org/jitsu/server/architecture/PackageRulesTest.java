package org.jitsu.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the assembly, the command line, the admin endpoint, the config and the metrics may import, as
 * their {@code package-info.java} says, read from the sources' import lines. The rules of the core, the
 * DNS authority and the backends, and the tree's shape, are {@link DependencyRuleTest}'s.
 */
@Tag("fast")
class PackageRulesTest {
    /** A class of the root package, the assembly: {@code org.jitsu.server.JitsuServer}. */
    private static final Predicate<String> ASSEMBLY = i -> i.matches("org\\.jitsu\\.server\\.[A-Z].*");

    @Test
    void theAdminEndpointKnowsNothingElseOfTheServer() throws IOException {
        // the settings library (JDK only, no server type) is the one project code it may use: its JSON writer
        assertThat(imports("admin")).filteredOn(i -> i.startsWith("org.jitsu.") && !i.startsWith("org.jitsu.settings."))
                .isEmpty();
    }

    @Test
    void theMetricsSeeOnlyTheInterfacesTheyImplementAndWhatTheyReport() throws IOException {
        assertThat(imports("metrics")).filteredOn(i -> i.startsWith("org.jitsu.")).allMatch(i ->
                i.startsWith("org.jitsu.server.core.") || i.startsWith("org.jitsu.server.dns.")
                        || i.startsWith("org.jitsu.server.proxy.") || i.startsWith("org.jitsu.backend."));
    }

    @Test
    void theConfigParsesIntoTheComponentsRecordsAndUsesNoLiveResources() throws IOException {
        assertThat(imports("config")).noneMatch(ASSEMBLY).noneMatch(i -> i.startsWith("org.jitsu.server.cli.")
                        || i.startsWith("org.jitsu.server.store.") || i.startsWith("org.jitsu.server.metrics.")
                        || i.startsWith("io.netty.") || i.startsWith("reactor."));
    }

    @Test
    void theCommandLineStartsAServerOrTalksToItsAdminApiAndNothingElse() throws IOException {
        assertThat(imports("cli")).filteredOn(i -> i.startsWith("org.jitsu.")).allMatch(i -> ASSEMBLY.test(i)
                || i.startsWith("org.jitsu.server.config.") || i.startsWith("org.jitsu.server.admin.")
                || i.startsWith("org.jitsu.backend.spi.") || i.startsWith("org.jitsu.settings."));
    }

    @Test
    void onlyTheCommandLineUsesTheAssemblyAndNothingUsesTheCommandLine() throws IOException {
        for (String pkg : packagesBelow()) {
            assertThat(imports(pkg)).as(pkg).noneMatch(ASSEMBLY).noneMatch(i -> i.startsWith("org.jitsu.server.cli."));
        }
        assertThat(imports("")).noneMatch(i -> i.startsWith("org.jitsu.server.cli."));
    }

    /**
     * Below the assembly no component reads the config; the store is the exception left, with
     * {@code StoreSettings} (its own record, still in config) and {@code StateStores.withRegistered}
     * (which reads the file again, the assembly's job).
     */
    @Test
    void belowTheAssemblyNoComponentReadsTheConfigButTheStoreForNow() throws IOException {
        List<String> storeExceptions = List.of("org.jitsu.server.config.StoreSettings",
                "org.jitsu.server.config.JitsuConfig");
        for (String pkg : packagesBelow()) {
            if (!pkg.equals("config")) {
                assertThat(imports(pkg)).as(pkg).filteredOn(i -> i.startsWith("org.jitsu.server.config."))
                        .allMatch(i -> pkg.startsWith("store") && storeExceptions.stream().anyMatch(i::startsWith));
            }
        }
    }

    /** Every package under the root but the command line, as a path relative to it ({@code dns/authority}). */
    private static List<String> packagesBelow() throws IOException {
        Path sources = Sources.ROOT.resolve("jitsu-server/src/main/java/org/jitsu/server");
        try (Stream<Path> dirs = Files.walk(sources)) {
            return dirs.filter(Files::isDirectory).filter(d -> !d.equals(sources))
                    .map(d -> sources.relativize(d).toString().replace('\\', '/'))
                    .filter(p -> !p.equals("cli")).sorted().toList();
        }
    }

    /**
     * The imports of the sources directly in {@code pkg} (a path under the root; "" for the root), without
     * those of its own classes (static imports of its constants).
     */
    private static List<String> imports(String pkg) {
        String own = "org.jitsu.server." + pkg.replace('/', '.') + ".";
        List<String> out = new ArrayList<>();
        for (Path f : Sources.serverPackage(pkg)) {
            for (String i : Sources.imports(Sources.read(f))) {
                if (pkg.isEmpty() || !i.matches(Pattern.quote(own) + "[A-Z].*")) {
                    out.add(i);
                }
            }
        }
        return out;
    }
}
