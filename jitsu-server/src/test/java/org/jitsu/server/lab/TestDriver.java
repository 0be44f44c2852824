package org.jitsu.server.lab;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** libvirt's in-process test driver, as the lab's tests read it back. */
final class TestDriver {
    static final String URI = "test:///default";

    private TestDriver() {
    }

    /** The state of the domain with this name, as libvirt holds it. */
    static org.libvirt.DomainInfo.DomainState state(String name) throws LibvirtException {
        Connect c = new Connect(URI);
        try {
            Domain d = c.domainLookupByName(name);
            try {
                return d.getInfo().state;
            } finally {
                d.free();
            }
        } finally {
            c.close();
        }
    }

    /** The XML of the domain with this name, as libvirt holds it. */
    static String domainXml(String name) throws LibvirtException {
        Connect c = new Connect(URI);
        try {
            Domain d = c.domainLookupByName(name);
            try {
                return d.getXMLDesc(0);
            } finally {
                d.free();
            }
        } finally {
            c.close();
        }
    }
}
