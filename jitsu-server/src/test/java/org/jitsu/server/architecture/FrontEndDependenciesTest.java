package org.jitsu.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The front end's dependency rule, as its {@code package-info.java} states it: {@code org.jitsu.server.dns}
 * uses the authority's answer model and the settings helpers, never the core, the store, the backends or
 * the server around it (the shared Netty transports of {@code org.jitsu.server.net} aside); in the server it alone
 * touches {@code io.netty.handler.codec.dns}, and {@code ByteBuf} only it and the connection-holding front
 * ({@code org.jitsu.server.proxy}, which splices bytes it never parses).
 * Imports and fully qualified names in code count; comments and string literals do not. (That the
 * authority touches no Netty is {@link DependencyRuleTest}'s.)
 */
@Tag("fast")
class FrontEndDependenciesTest {
    /** What the front end may name of ours. */
    private static final List<String> OURS_ALLOWED = List.of("org.jitsu.server.dns.", "org.jitsu.settings.",
            "org.jitsu.server.net.");
    private static final List<String> WIRE = List.of("io.netty.buffer.", "io.netty.handler.codec.dns.");

    @Test
    void theFrontEndUsesOnlyTheAuthorityAndTheSettingsOfOurs() {
        List<String> found = new ArrayList<>();
        for (Path f : Sources.serverPackage("dns")) {
            for (String name : Sources.namesInCode(Sources.read(f))) {
                if (name.startsWith("org.jitsu.") && OURS_ALLOWED.stream().noneMatch(name::startsWith)) {
                    found.add(f.getFileName() + ": " + name);
                }
            }
        }
        assertThat(found).as("org.jitsu.server.dns may not name the core, store, backends or assembly").isEmpty();
    }

    @Test
    void onlyTheFrontEndTouchesBuffersAndTheDnsCodec() {
        List<String> found = new ArrayList<>();
        for (Path f : Sources.main(Sources.ROOT)) {
            String text = Sources.read(f);
            if (!Sources.relative(f).startsWith("jitsu-server/") || Sources.packageOf(text).equals("org.jitsu.server.dns")) {
                continue; // the front end's own benchmark (jitsu-bench) feeds it buffers, as Netty would
            }
            boolean front = Sources.packageOf(text).equals("org.jitsu.server.proxy");
            for (String name : Sources.namesInCode(text)) {
                if (WIRE.stream().anyMatch(name::startsWith) && !(front && name.startsWith("io.netty.buffer."))) {
                    found.add(Sources.relative(f) + ": " + name);
                }
            }
        }
        assertThat(found).as("ByteBuf outside dns and proxy, netty-codec-dns outside dns").isEmpty();
    }
}
