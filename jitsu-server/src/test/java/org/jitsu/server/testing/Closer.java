package org.jitsu.server.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened (servers, stores, proxies) after each test, the last opened first, also
 * when the test failed. Register it after the extensions the resources depend on, with
 * {@link org.junit.jupiter.api.Order} on both, so that it runs before them on the way out:
 *
 * <pre>{@code
 * @RegisterExtension @Order(1) final EtcdExtension etcd = new EtcdExtension();
 * @RegisterExtension @Order(2) final Closer open = new Closer();
 * ...
 * StateStore store = open.add(EtcdStores.open(settings));
 * }</pre>
 */
public final class Closer implements AfterEachCallback {
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    /** Closes {@code resource} after the test (before what was added earlier); returns it. */
    public <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
