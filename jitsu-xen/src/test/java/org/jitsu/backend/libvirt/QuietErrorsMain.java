package org.jitsu.backend.libvirt;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * Run in a child JVM by {@link LibvirtQuietErrorsTest}: provokes one libvirt error, with ({@code quiet})
 * or without ({@code default}) the backend's process-wide set-up, and prints the error code on stdout.
 */
public final class QuietErrorsMain {
    private QuietErrorsMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("quiet")) {
            LibvirtRuntime.ensureStarted();
        }
        Connect c = new Connect("test:///default", false);
        try {
            c.domainLookupByName("no-such-domain-" + ProcessHandle.current().pid());
            System.out.println("found?");
        } catch (LibvirtException e) {
            System.out.println("code " + LibvirtErrors.code(e));
        } finally {
            c.close();
        }
    }
}
