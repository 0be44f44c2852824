package org.jitsu.server.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for {@link EmbeddedStoreCrashIT}: writes services and records into an embedded store
 * in a loop and prints {@code acked N} once write N is acknowledged, until it is killed.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {
    }

    public static void main(String[] args) {
        StateStore store = StateStore.embedded(Path.of(args[0]), "writer");
        for (int i = 0; ; i++) {
            // a long spec, so that the file takes a while to write and a kill often lands mid-write
            store.putService("s" + i, "id: s" + i + "\n# " + "x".repeat(500) + "\n").block(Duration.ofSeconds(30));
            System.out.println("acked " + i);
            System.out.flush();
        }
    }
}
