package org.jitsu.server.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.testing.ApiServices;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DigOutput;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A template on libvirt (its in-process test driver, {@code test:///default}): each name under
 * {@code pages.vm.test} is its own domain, defined from a domain XML template on its first query with
 * the instance id as {@code ${name}} ({@code pages.a}), the template's captures and the instance's
 * address passed through {@code vars}, its own MAC; destroyed when idle, started again by the next
 * query. The domains are removed from the test driver afterwards.
 */
@Tag("native")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TemplateLibvirtIT {
    private static final String TEST_DRIVER = TestDriver.URI;
    private static final String POOL = "127.81.0.0/16";
    private static final List<String> DOMAINS = List.of("pages.a", "pages.b");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DOMAIN_XML = String.join("\n",
            "<domain type='test'>",
            "  <name>${name}</name>",
            "  <description>page ${page} on ${address}</description>",
            "  <memory unit='KiB'>8192</memory>",
            "  <os><type>hvm</type></os>",
            "  <devices>",
            "    <interface type='bridge'><source bridge='br0'/><mac address='${mac}'/></interface>",
            "  </devices>",
            "</domain>",
            "");

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .file("page.xml", DOMAIN_XML)
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: vm.test",
                    "    nameservers: [ns1.vm.test]",
                    "    hosts: {ns1.vm.test: [127.0.0.1]}",
                    "idle: {check-interval: 200ms}",
                    "backends:",
                    "  virt: {type: libvirt, uri: \"" + TEST_DRIVER + "\"}",
                    "templates:",
                    "  - id: pages",
                    "    pattern: \"{page}.pages.vm.test\"",
                    "    pool: [" + POOL + "]",
                    "    ttl: 1",
                    "    backend: virt",
                    "    libvirt:",
                    "      template: \"" + dir.resolve("page.xml") + "\"",
                    "      vars: {page: \"${page}\", address: \"${address}\"}",
                    "    readiness: [{backend: running}]",
                    "    idle-timeout: 5s",
                    "    stop: {mode: destroy}",
                    ""))
            .build();

    @AfterAll
    static void removeDomains() throws LibvirtException {
        // test:///default lives as long as the JVM: leave no domains behind for other tests.
        Connect c = new Connect(TEST_DRIVER);
        try {
            for (String name : DOMAINS) {
                Optional<Domain> d = lookup(c, name);
                if (d.isPresent()) {
                    if (d.get().isActive() == 1) {
                        d.get().destroy();
                    }
                    d.get().undefine();
                    d.get().free();
                }
            }
        } finally {
            c.close();
        }
    }

    @Test
    @Order(1)
    void twoNamesGiveTwoDomainsNamedByTheirInstanceIds() throws LibvirtException {
        assertThat(domainNames()).doesNotContainAnyElementsOf(DOMAINS);

        DigOutput a = DigOutput.of(jitsu.dig("a.pages.vm.test", "A"));
        DigOutput b = DigOutput.of(jitsu.dig("b.pages.vm.test", "A"));
        for (DigOutput d : List.of(a, b)) {
            assertThat(d.status()).as(d.output()).isEqualTo("NOERROR");
            assertThat(d.addresses()).as(d.output()).hasSize(1);
            assertThat(Cidr.parse(POOL).orElseThrow().contains(IpLiteral.parse(d.addresses().get(0)).orElseThrow()))
                    .as("%s in %s", d.addresses(), POOL).isTrue();
        }
        String addressA = a.addresses().get(0);
        String addressB = b.addresses().get(0);
        assertThat(addressA).isNotEqualTo(addressB);

        assertThat(active("pages.a")).isTrue();
        assertThat(active("pages.b")).isTrue();
        assertThat(TestDriver.domainXml("pages.a")).contains("<name>pages.a</name>")
                .contains("<description>page a on " + addressA + "</description>")
                .contains("<mac address='" + macOf("pages.a") + "'/>");
        assertThat(TestDriver.domainXml("pages.b")).contains("<name>pages.b</name>")
                .contains("<description>page b on " + addressB + "</description>")
                .contains("<mac address='" + macOf("pages.b") + "'/>");
        assertThat(macOf("pages.a")).isNotEqualTo(macOf("pages.b"));

        Map<String, ApiServices.Service> services = ApiServices.get(jitsu.adminUrl());
        assertThat(services.get("pages.a")).isEqualTo(new ApiServices.Service("pages.a", List.of("a.pages.vm.test"),
                List.of(addressA), "virt", "RUNNING", 1, 0));
        assertThat(services.get("pages.b")).isEqualTo(new ApiServices.Service("pages.b", List.of("b.pages.vm.test"),
                List.of(addressB), "virt", "RUNNING", 1, 0));
    }

    @Test
    @Order(2)
    void idleDomainsAreDestroyedAndTheNextQueryStartsTheSameDomainAgain() throws LibvirtException {
        Await.until("pages.a and pages.b destroyed when idle", WAIT, () -> {
            Map<String, ApiServices.Service> s = ApiServices.get(jitsu.adminUrl());
            return s.get("pages.a").state().equals("STOPPED") && s.get("pages.b").state().equals("STOPPED")
                    && !active("pages.a") && !active("pages.b");
        });
        assertThat(domainNames()).as("destroyed, still defined").containsAll(DOMAINS);

        DigOutput again = DigOutput.of(jitsu.dig("a.pages.vm.test", "A"));
        assertThat(again.status()).as(again.output()).isEqualTo("NOERROR");
        assertThat(active("pages.a")).isTrue();
        assertThat(active("pages.b")).isFalse();
        ApiServices.Service a = ApiServices.get(jitsu.adminUrl()).get("pages.a");
        assertThat(a.state()).isEqualTo("RUNNING");
        assertThat(a.boots()).isEqualTo(2);
        assertThat(a.addresses()).isEqualTo(again.addresses());
        assertThat(domainNames().stream().filter(n -> n.equals("pages.a")).count()).isEqualTo(1);
    }

    // ---- helpers

    private static Optional<Domain> lookup(Connect c, String name) throws LibvirtException {
        for (String n : domainNames(c)) {
            if (n.equals(name)) {
                return Optional.of(c.domainLookupByName(name));
            }
        }
        return Optional.empty();
    }

    /** Every domain of the test driver, running or defined. */
    private static List<String> domainNames() throws LibvirtException {
        Connect c = new Connect(TEST_DRIVER);
        try {
            return domainNames(c);
        } finally {
            c.close();
        }
    }

    private static List<String> domainNames(Connect c) throws LibvirtException {
        List<String> out = new ArrayList<>(List.of(c.listDefinedDomains()));
        for (int id : c.listDomains()) {
            Domain d = c.domainLookupByID(id);
            out.add(d.getName());
            d.free();
        }
        return out;
    }

    private static boolean active(String name) {
        try {
            Connect c = new Connect(TEST_DRIVER);
            try {
                Optional<Domain> d = lookup(c, name);
                boolean active = d.isPresent() && d.get().isActive() == 1;
                d.ifPresent(TemplateLibvirtIT::free);
                return active;
            } finally {
                c.close();
            }
        } catch (LibvirtException e) {
            throw new AssertionError(e);
        }
    }

    private static void free(Domain d) {
        try {
            d.free();
        } catch (LibvirtException e) {
            throw new AssertionError(e);
        }
    }

    /** The MAC libvirt templates get by default: 02 and the first five bytes of SHA-256 of the instance id. */
    private static String macOf(String id) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        List<String> parts = new ArrayList<>(List.of("02"));
        for (int i = 0; i < 5; i++) {
            parts.add(String.format("%02x", h[i]));
        }
        return String.join(":", parts);
    }
}
