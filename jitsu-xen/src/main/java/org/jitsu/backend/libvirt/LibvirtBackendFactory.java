package org.jitsu.backend.libvirt;

import org.jitsu.backend.Backend;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.settings.Settings;

/**
 * Creates backends of type {@code libvirt}: VMs are libvirt domains on one hypervisor connection (Xen,
 * QEMU/KVM, or libvirt's in-process test driver).
 *
 * <p>Backend settings ({@code backends.NAME}):
 * <pre>{@code
 * uri: xen:///system        # required: xen:///system, qemu:///system, qemu:///embed?root=DIR,
 *                           #           test:///default, test:///ABSOLUTE/PATH.xml
 * threads: 4                # libvirt calls that may run at once (a bounded scheduler of its own)
 * keepalive: 5s             # keepalive interval for connections through libvirtd (whole seconds)
 * }</pre>
 *
 * <p>Service spec ({@code services[i].libvirt}), exactly one of:
 * <pre>{@code
 * domain: NAME-or-UUID      # a domain that already exists
 * template: PATH            # a domain XML file, defined when its domain does not exist yet
 * vars: {memory: 65536, kernel: /srv/unikernel.xen}   # only with template
 * }</pre>
 * Placeholders {@code ${KEY}} in the template are replaced by XML-escaped values from {@code vars};
 * {@code ${name}} defaults to the service id and {@code ${mac}} to a stable locally administered MAC
 * address derived from the service id. The other usual keys ({@code ${memory}}, {@code ${vcpus}},
 * {@code ${kernel}}, {@code ${cmdline}}) have no default. A placeholder without a value, or a var the
 * template does not use, is a config error naming the key.
 *
 * <p>Stop modes: {@code destroy}, {@code shutdown} (then destroy after the grace period),
 * {@code suspend} (pause in memory) and {@code save} (libvirt managed save; the next start restores it).
 */
public final class LibvirtBackendFactory implements BackendFactory {

    /** The {@code type:} value this factory handles. */
    public static final String TYPE = "libvirt";

    /** For {@link java.util.ServiceLoader}. */
    public LibvirtBackendFactory() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(String name, Settings settings, BackendContext context) {
        LibvirtSettings parsed = LibvirtSettings.parse(settings);
        return new LibvirtBackend(name, parsed, context);
    }
}
