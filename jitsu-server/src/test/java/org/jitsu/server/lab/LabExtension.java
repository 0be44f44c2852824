package org.jitsu.server.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the QEMU lab ({@code lab/lab.sh}) is up for a test class: when libvirtd is not running
 * it runs {@code lab/lab.sh up} (packages, virtlogd, libvirtd, the guest) and, after the class, {@code
 * lab/lab.sh down}, which stops the daemons by their PID files; a lab that was already running is
 * used and left running. The domains named in the constructor belong to the test: they are destroyed
 * and undefined before and after the class (a template's domain is defined once and then reused, so a
 * stale definition from an earlier run would keep an old forwarded port).
 *
 * <p>Register it before the {@code JitsuServerExtension} (lower {@code @Order}): the server connects to
 * the lab's libvirtd when it starts.
 */
final class LabExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Logger LOG = LoggerFactory.getLogger(LabExtension.class);
    static final String URI = "qemu:///system";
    /** Where lab/lab.sh publishes the guest (libvirtd needs absolute paths). */
    static final Path GUEST = Path.of("/var/lib/libvirt/jitsu-lab");
    /** The first time, {@code up} installs packages and downloads the kernel package. */
    private static final long UP_TIMEOUT_SECONDS = 900;

    private final List<String> domains;
    private final Path script;
    private boolean startedDaemons;

    LabExtension(String... domains) {
        this.domains = List.of(domains);
        this.script = repositoryRoot().resolve("lab").resolve("lab.sh");
    }

    /** The repository root (tests run in the module's directory). */
    static Path repositoryRoot() {
        return Path.of("..").toAbsolutePath().normalize();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        DnsTools.Result status = lab("status", 60);
        if (status.exitCode() != 0) {
            // Decided before "up" runs, so that a failing "up" is still cleaned up after.
            startedDaemons = !status.stdout().contains("libvirtd: running");
            DnsTools.Result up = lab("up", UP_TIMEOUT_SECONDS);
            if (up.exitCode() != 0) {
                throw new AssertionError("lab/lab.sh up failed (exit " + up.exitCode() + "):\n" + up.stdout() + up.stderr());
            }
        }
        removeDomains();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> problems = new ArrayList<>();
        try {
            removeDomains();
        } catch (AssertionError | RuntimeException e) {
            problems.add(e.toString());
        }
        if (startedDaemons) {
            DnsTools.Result down = lab("down", 120);
            if (down.exitCode() != 0) {
                problems.add("lab/lab.sh down failed (exit " + down.exitCode() + "): " + down.stderr());
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
    }

    /** {@code virsh -c qemu:///system ARGS...}, bounded. */
    static DnsTools.Result virsh(String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", URI));
        cmd.addAll(List.of(args));
        return DnsTools.run(cmd, 60);
    }

    /** The domain's state as virsh prints it ("running", "shut off"), or "undefined". */
    static String domainState(String name) {
        DnsTools.Result r = virsh("domstate", name);
        return r.exitCode() == 0 ? r.stdout().strip() : "undefined";
    }

    private void removeDomains() {
        for (String name : domains) {
            String state = domainState(name);
            if (state.equals("undefined")) {
                continue;
            }
            if (!state.equals("shut off")) {
                DnsTools.Result d = virsh("destroy", name);
                LOG.info("lab: destroyed leftover domain {} ({}): {}", name, state, d.exitCode() == 0 ? "ok" : d.stderr().strip());
            }
            DnsTools.Result u = virsh("undefine", name, "--managed-save");
            if (u.exitCode() != 0 && !domainState(name).equals("undefined")) {
                throw new AssertionError("cannot undefine lab domain " + name + ": " + u.stderr());
            }
        }
    }

    private DnsTools.Result lab(String command, long timeoutSeconds) {
        return DnsTools.run(List.of(script.toString(), command), timeoutSeconds);
    }
}
