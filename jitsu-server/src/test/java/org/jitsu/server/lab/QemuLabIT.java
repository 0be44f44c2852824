package org.jitsu.server.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end on the QEMU lab: the real server, the libvirt backend on the lab's libvirtd
 * ({@code qemu:///system}), and a real QEMU (TCG) guest built by {@code lab/lab.sh} from
 * {@code config/lab/qemu-guest.xml}, its HTTP port forwarded to 127.0.5.1 by QEMU's user-mode network.
 * Queried by {@code dig}, checked over HTTP and with {@code virsh}. Software emulation boots in
 * seconds: every wait is a condition polled with a generous deadline.
 *
 * <p>{@link LabExtension} brings the lab up when it is not running (and down again after).
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QemuLabIT {
    private static final String SERVICE = "labit";
    private static final String DOMAIN = "lab-" + SERVICE;
    private static final String NAME = "guest.lab.test";
    private static final String ADDRESS = "127.0.5.1";
    private static final int PORT = JitsuServerExtension.freePort(ADDRESS);
    private static final String URL = "http://" + ADDRESS + ":" + PORT + "/";
    /** The fast guest (lab/fast-guest.config's kernel), the same template and initramfs script. */
    private static final String FAST = "labfast";
    private static final String FAST_DOMAIN = "lab-" + FAST;
    private static final String FAST_NAME = "fast.lab.test";
    private static final String FAST_ADDRESS = "127.0.5.2";
    private static final int FAST_PORT = JitsuServerExtension.freePort(FAST_ADDRESS);
    private static final String FAST_URL = "http://" + FAST_ADDRESS + ":" + FAST_PORT + "/";
    /** A boot under TCG takes 2-5 s here; much more on a loaded machine. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    @Order(1)
    static final LabExtension lab = new LabExtension(DOMAIN, FAST_DOMAIN);

    @RegisterExtension
    @Order(2)
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: lab.test",
                    "    nameservers: [ns1.lab.test]",
                    "    hosts: {ns1.lab.test: [127.0.0.1]}",
                    "idle: {check-interval: 200ms}",
                    "backends:",
                    "  lab: {type: libvirt, uri: \"" + LabExtension.URI + "\"}",
                    "services:",
                    guest(SERVICE, NAME, ADDRESS, PORT, "vmlinuz", "initrd.img"),
                    "    idle-timeout: " + IDLE.toSeconds() + "s",
                    guest(FAST, FAST_NAME, FAST_ADDRESS, FAST_PORT, "fast-vmlinuz", "fast-initrd.img"),
                    ""))
            .build();

    @Test
    @Order(1)
    void coldQueryBootsTheGuestAnswersOnceHttpWorksAndIdleStopDestroysIt() throws Exception {
        assertThat(status().state()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(LabExtension.domainState(DOMAIN)).isEqualTo("undefined");
        assertThatThrownBy(() -> get(URL)).as("nothing serves %s before the query", URL).isInstanceOf(IOException.class);

        assertThat(queryAddresses()).containsExactly(ADDRESS);
        // The answer was sent after the guest's HTTP server answered: the very first request works.
        HttpResponse<String> page = get(URL);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("jitsu lab guest " + SERVICE);
        assertThat(LabExtension.domainState(DOMAIN)).isEqualTo("running");
        assertThat(status().state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(status().boots()).isEqualTo(1);

        await("the idle guest to be destroyed", () -> status().state() == ServiceStatus.State.STOPPED
                && LabExtension.domainState(DOMAIN).equals("shut off"));
        assertThatThrownBy(() -> get(URL)).as("the guest is gone").isInstanceOf(IOException.class);

        assertThat(queryAddresses()).containsExactly(ADDRESS);
        assertThat(get(URL).statusCode()).isEqualTo(200);
        assertThat(status().boots()).isEqualTo(2);
        assertThat(status().failures()).isZero();
    }

    @Test
    @Order(2)
    void domainDestroyedFromOutsideIsNoticedByTheEventAndTheNextQueryBootsItAgain() throws Exception {
        assertThat(queryAddresses()).containsExactly(ADDRESS); // boots the guest unless it is still running
        assertThat(LabExtension.domainState(DOMAIN)).isEqualTo("running");
        ServiceStatus before = status();
        assertThat(before.state()).isEqualTo(ServiceStatus.State.RUNNING);

        CompletableFuture<VmEvent> stopped = definition().service().vm().backend().events()
                .filter(e -> e.vmId().equals(DOMAIN) && e.state() == VmState.STOPPED)
                .next()
                .toFuture();
        DnsTools.Result destroy = LabExtension.virsh("destroy", DOMAIN);
        assertThat(destroy.exitCode()).as("virsh destroy: %s", destroy.stderr()).isZero();

        VmEvent event = stopped.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(event.detail()).contains("destroyed");
        await("the service to be known stopped", () -> status().state() == ServiceStatus.State.STOPPED);
        ServiceStatus after = status();
        assertThat(after.lastQuery()).as("no query in between").isEqualTo(before.lastQuery());
        assertThat(after.boots()).isEqualTo(before.boots());

        assertThat(queryAddresses()).containsExactly(ADDRESS);
        assertThat(get(URL).statusCode()).isEqualTo(200);
        assertThat(status().boots()).isEqualTo(before.boots() + 1);
        assertThat(status().failures()).isZero();
    }

    @Test
    @Order(3)
    void theFastGuestBootsThroughJitsuOnItsOwnKernel() throws Exception {
        assertThat(status(FAST).state()).isEqualTo(ServiceStatus.State.STOPPED);
        assertThat(queryAddresses(FAST_NAME)).containsExactly(FAST_ADDRESS);
        HttpResponse<String> page = get(FAST_URL);
        assertThat(page.statusCode()).isEqualTo(200);
        String built = java.nio.file.Files.readString(LabExtension.GUEST.resolve("fast-kernel-version"));
        assertThat(page.body()).contains("jitsu lab guest " + FAST)
                .contains("kernel " + built.substring(0, built.indexOf(' ')));
        assertThat(LabExtension.domainState(FAST_DOMAIN)).isEqualTo("running");
        System.out.printf("QemuLabIT: the fast guest booted through Jitsu in %d ms (the Debian guest: %d ms)%n",
                status(FAST).lastBootMillis().orElseThrow(), status().lastBootMillis().orElse(-1L));
    }

    // ---- helpers

    /** A service on config/lab/qemu-guest.xml booting the lab's kernel and initrd of these names. */
    private static String guest(String id, String name, String address, int port, String kernel, String initrd) {
        return String.join("\n",
                "  - id: " + id,
                "    names: [" + name + "]",
                "    addresses: [" + address + "]",
                "    ttl: 5",
                "    backend: lab",
                "    libvirt:",
                "      template: \"" + LabExtension.repositoryRoot().resolve("config/lab/qemu-guest.xml") + "\"",
                "      vars:",
                "        memory: 128",
                "        listen: " + address,
                "        port: " + port,
                "        kernel: " + LabExtension.GUEST.resolve(kernel),
                "        initrd: " + LabExtension.GUEST.resolve(initrd),
                "    readiness:",
                "      - backend: running",
                "      - http: \"http://" + address + ":" + port + "/\"",
                "    boot-timeout: " + BOOT_TIMEOUT.toSeconds() + "s",
                "    stop: {mode: destroy}");
    }

    private static ServiceStatus status() {
        return status(SERVICE);
    }

    private static ServiceStatus status(String id) {
        return jitsu.server().pipeline().core().status(id).orElseThrow();
    }

    private static NamedService definition() {
        return jitsu.server().services().stream().filter(s -> s.id().equals(SERVICE)).findFirst().orElseThrow();
    }

    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
    private static final Pattern ADDRESS_RR = Pattern.compile("(?m)^\\S+\\s+\\d+\\s+IN\\s+A\\s+(\\S+)$");

    /** dig for {@link #NAME}, waiting as long as a boot may take; the addresses of a NOERROR answer. */
    private static List<String> queryAddresses() {
        return queryAddresses(NAME);
    }

    private static List<String> queryAddresses(String name) {
        DnsTools.Result r = DnsTools.run(List.of("dig", "@127.0.0.1", "-p", Integer.toString(jitsu.port()),
                "+tries=1", "+time=" + (BOOT_TIMEOUT.toSeconds() + 10), name, "A"), BOOT_TIMEOUT.toSeconds() + 30);
        assertThat(r.exitCode()).as("dig: %s%s", r.stdout(), r.stderr()).isZero();
        Matcher s = STATUS.matcher(r.stdout());
        assertThat(s.find() ? Optional.of(s.group(1)) : Optional.empty()).as("dig: %s", r.stdout()).contains("NOERROR");
        List<String> addresses = new ArrayList<>();
        Matcher a = ADDRESS_RR.matcher(r.stdout());
        while (a.find()) {
            addresses.add(a.group(1));
        }
        return addresses;
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }
}
