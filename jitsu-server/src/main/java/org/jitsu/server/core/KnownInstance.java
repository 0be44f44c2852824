package org.jitsu.server.core;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** One known instance of a template: its runtime, addresses, and whether it holds a place under maxRunning. */
final class KnownInstance {
    final String key;
    final ServiceRuntime runtime;
    final List<InetAddress> addresses;
    final Admission.Admitted admitted;
    final AtomicBoolean counted = new AtomicBoolean();

    KnownInstance(String key, ServiceRuntime runtime, List<InetAddress> addresses) {
        this.key = key;
        this.runtime = runtime;
        this.addresses = addresses;
        this.admitted = new Admission.Admitted(runtime);
    }
}
