package org.jitsu.server.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.XenstoredServer;
import org.jitsu.server.cli.Main;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
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
import org.yaml.snakeyaml.Yaml;

/**
 * {@code config/xen.yml}, the example for a real Xen host, run as it is except for what needs Xen and
 * its network: the backend's URI becomes libvirt's in-process test driver ({@code test:///default},
 * which accepts the same Xen PV domain XML), readiness becomes "the backend says running" (the
 * example's HTTP checks would go to TEST-NET addresses), and the listener is the test's. The services,
 * names, addresses, template and vars are the file's own: a query defines the domain from
 * {@code config/xen/unikernel-pv.xml}, starts it and is answered with the file's address.
 */
@Tag("native")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XenExampleIT {
    private static final Path XEN_YML = Path.of("..", "config", "xen.yml");
    private static final String TEST_DRIVER = TestDriver.URI;

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .config(dir -> onTestDriver(XEN_YML))
            .build();

    /** The example with Xen replaced by the test driver, as YAML without {@code listen:} and {@code state-dir:}. */
    @SuppressWarnings("unchecked")
    private static String onTestDriver(Path file) {
        Map<String, Object> config;
        try {
            config = new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
        config.remove("listen");
        config.remove("state-dir");
        Map<String, Object> backends = (Map<String, Object>) config.get("backends");
        for (Object backend : backends.values()) {
            Map<String, Object> b = (Map<String, Object>) backend;
            assertThat(b.get("uri")).as("the example's URI").isEqualTo("xen:///system");
            b.put("uri", TEST_DRIVER);
        }
        for (Object service : (List<Object>) config.get("services")) {
            Map<String, Object> s = (Map<String, Object>) service;
            // the HTTP checks would go to TEST-NET addresses; a xenstore: check stays (the test plays the guest)
            List<Object> readiness = new ArrayList<>(List.of(Map.of("backend", "running")));
            for (Object check : (List<Object>) s.get("readiness")) {
                if (((Map<String, Object>) check).containsKey("xenstore")) {
                    readiness.add(check);
                }
            }
            s.put("readiness", readiness);
            Map<String, Object> libvirt = (Map<String, Object>) s.get("libvirt");
            libvirt.put("template", XEN_YML.resolveSibling(libvirt.get("template").toString().replaceFirst("^config/", ""))
                    .toAbsolutePath().normalize().toString());
        }
        return new Yaml().dump(config);
    }

    @AfterAll
    static void undefineDomains() throws LibvirtException {
        // test:///default lives as long as the JVM: leave no domains behind for other tests.
        Connect c = new Connect(TEST_DRIVER);
        try {
            for (String name : List.of("www", "api", "rump")) {
                for (String defined : c.listDefinedDomains()) {
                    if (defined.equals(name)) {
                        Domain d = c.domainLookupByName(name);
                        d.undefine();
                        d.free();
                    }
                }
            }
        } finally {
            c.close();
        }
    }

    /** What {@code ./jitsu check --config config/xen.yml} runs: Main, from the repository root, with the file as it is. */
    @Test
    @Order(0)
    void jitsuCheckAcceptsTheExampleFromTheRepositoryRoot() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        DnsTools.Result r = DnsTools.run(List.of("sh", "-c", "cd .. && exec \"$0\" -cp \"$1\" " + Main.class.getName()
                + " check --config config/xen.yml", java, System.getProperty("java.class.path")), 60);
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("config/xen.yml: ok (1 zone, 3 services)\n");
    }

    @Test
    @Order(1)
    void aQueryDefinesTheXenPvDomainFromTheTemplateStartsItAndIsAnswered() throws LibvirtException {
        assertThat(status("www").state()).isEqualTo(ServiceStatus.State.STOPPED);

        DnsTools.Result r = jitsu.dig("www.unikernel.test", "A", "+norecurse");
        assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains("status: NOERROR").containsPattern("flags: qr aa[ ;]");
        assertThat(r.stdout()).containsPattern("(?m)^www\\.unikernel\\.test\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.10$");

        assertThat(status("www").state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(status("www").boots()).isEqualTo(1);
        assertThat(vm("www").service().vm().state().block(Duration.ofSeconds(10))).isEqualTo(VmState.RUNNING);

        String xml = TestDriver.domainXml("www");
        assertThat(xml).contains("<domain type='xen'")
                .contains("<kernel>/var/lib/xen/images/www.xen</kernel>")
                .contains("<cmdline>--ipv4=192.0.2.10/24 --ipv4-gateway=192.0.2.1</cmdline>")
                .contains("<source bridge='xenbr0'/>")
                .contains("<mac address='" + macOf("www") + "'/>")
                .containsPattern("<memory unit='KiB'>32768</memory>");
    }

    @Test
    @Order(2)
    void theSecondServiceAnswersForItsNameAndTheApexNameBelongsToTheFirst() throws LibvirtException {
        DnsTools.Result api = jitsu.dig("api.unikernel.test", "A");
        assertThat(api.stdout()).contains("status: NOERROR")
                .containsPattern("(?m)^api\\.unikernel\\.test\\.\\s+60\\s+IN\\s+A\\s+192\\.0\\.2\\.11$");
        assertThat(TestDriver.domainXml("api")).contains("machine='xenpvh'>xenpvh</type>")
                .contains("<kernel>/var/lib/xen/images/api.xen</kernel>")
                .contains("<cmdline>netdev.ip=192.0.2.11/24:192.0.2.1 --</cmdline>");

        DnsTools.Result apex = jitsu.dig("unikernel.test", "A");
        assertThat(apex.stdout()).contains("status: NOERROR")
                .containsPattern("(?m)^unikernel\\.test\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.10$");
        DnsTools.Result unknown = jitsu.dig("nope.unikernel.test", "A");
        assertThat(unknown.stdout()).contains("status: NXDOMAIN");
    }

    /**
     * The Rumprun service: query, domain created paused, its configuration written through the real
     * libxenstore into the test's xenstored while it is paused, unpaused, the key written by the
     * "guest" (the test), answer.
     */
    @Test
    @Order(3)
    void aRumprunQueryCreatesTheDomainPausedWritesItsConfigurationAndIsAnsweredOnceTheGuestSaysReady()
            throws Exception {
        Path socket = Path.of(System.getenv("XENSTORED_PATH"));
        Files.createDirectories(socket.getParent());
        try (XenstoredServer xenstored = XenstoredServer.start(socket)) {
            CompletableFuture<String> configured = new CompletableFuture<>();
            xenstored.onCommit(change -> {
                if (change.path().endsWith("/rumprun/cfg")) {
                    try {
                        configured.complete(change.path() + " written while " + TestDriver.state("rump"));
                    } catch (LibvirtException e) {
                        configured.completeExceptionally(e);
                    }
                }
            });
            CompletableFuture<DnsTools.Result> answer = CompletableFuture.supplyAsync(
                    () -> jitsu.dig("rump.unikernel.test", "A", "+norecurse"));

            String seen = configured.get(30, TimeUnit.SECONDS);
            String home = seen.substring(0, seen.indexOf("/rumprun/cfg"));
            assertThat(seen).isEqualTo(home + "/rumprun/cfg written while VIR_DOMAIN_PAUSED");
            assertThat(xenstored.value(home + "/rumprun/cfg").orElseThrow())
                    .isEqualTo("{\"cmdline\":\"nginx.bin -c /data/conf/nginx.conf\",\"net\":{\"if\":\"xenif0\","
                            + "\"type\":\"inet\",\"method\":\"static\",\"addr\":\"192.0.2.12\",\"mask\":\"24\","
                            + "\"gw\":\"192.0.2.1\"},\"blk\":{\"source\":\"etfs\",\"path\":\"blkfront:xvda\","
                            + "\"fstype\":\"blk\",\"mountpoint\":\"/data\"}}");
            assertThat(xenstored.awaitWatch(home + "/data/ready", Duration.ofSeconds(30)))
                    .as("the readiness check watches the key").isTrue();
            assertThat(answer).as("no answer before the guest is ready").isNotDone();
            assertThat(TestDriver.state("rump")).as("unpaused once configured")
                    .isEqualTo(org.libvirt.DomainInfo.DomainState.VIR_DOMAIN_RUNNING);

            xenstored.guestWrite(home + "/data/ready", "1");
            DnsTools.Result r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.stdout()).contains("status: NOERROR")
                    .containsPattern("(?m)^rump\\.unikernel\\.test\\.\\s+30\\s+IN\\s+A\\s+192\\.0\\.2\\.12$");
            assertThat(status("rump").state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(TestDriver.domainXml("rump")).contains("<kernel>/var/lib/xen/images/nginx.bin</kernel>")
                    .doesNotContain("<cmdline>");
        }
    }

    private static ServiceStatus status(String id) {
        return jitsu.server().pipeline().core().status(id).orElseThrow();
    }

    private static NamedService vm(String id) {
        return jitsu.server().services().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    /** The MAC the template's {@code ${mac}} gets: 02 and the first five bytes of SHA-256 of the service id. */
    private static String macOf(String serviceId) {
        byte[] h;
        try {
            h = java.security.MessageDigest.getInstance("SHA-256").digest(serviceId.getBytes(StandardCharsets.UTF_8));
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
