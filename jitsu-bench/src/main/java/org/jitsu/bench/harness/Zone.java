package org.jitsu.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The zone every server in the comparison serves: {@code bench.test}, NS {@code ns1.bench.test}
 * (127.0.0.1), and warm names {@code sK.bench.test} → 127.1.x.y with TTL 60, plus the config files
 * of Jitsu (libvirt test driver; services booted once before measuring), NSD and Knot.
 */
final class Zone {
    static final String APEX = "bench.test";

    private Zone() {
    }

    static String name(int i) {
        return "s" + i + "." + APEX;
    }

    static String address(int i) {
        return "127." + (1 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
    }

    /** A dnsperf input file cycling over the first {@code warm} names. */
    static Path queryFile(Path dir, int warm) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < warm; i++) {
            lines.add(name(i) + " A");
        }
        return Files.write(dir.resolve("queries-" + warm + ".txt"), lines);
    }

    static Path zoneFile(Path dir, int names) throws IOException {
        StringBuilder z = new StringBuilder("$ORIGIN " + APEX + ".\n$TTL 3600\n"
                + "@ IN SOA ns1." + APEX + ". hostmaster." + APEX + ". 1 3600 600 1209600 60\n"
                + "@ IN NS ns1." + APEX + ".\nns1 IN A 127.0.0.1\n");
        for (int i = 0; i < names; i++) {
            z.append('s').append(i).append(" 60 IN A ").append(address(i)).append('\n');
        }
        return Files.writeString(dir.resolve(APEX + ".zone"), z);
    }

    static Path nsdConfig(Path dir, int port) throws IOException {
        zoneFile(dir, 10);
        String c = """
                server:
                  ip-address: 127.0.0.1@%1$d
                  port: %1$d
                  server-count: 1
                  do-ip6: no
                  username: ""
                  chroot: ""
                  zonesdir: "%2$s"
                  database: ""
                  zonelistfile: "%2$s/zone.list"
                  xfrdfile: "%2$s/xfrd.state"
                  xfrdir: "%2$s"
                  pidfile: "%2$s/nsd.pid"
                  logfile: "%2$s/nsd.log"
                  verbosity: 0
                  receive-buffer-size: 4194304
                  rrl-ratelimit: 0
                  rrl-whitelist-ratelimit: 0
                remote-control:
                  control-enable: no
                zone:
                  name: %3$s
                  zonefile: %3$s.zone
                """.formatted(port, dir, APEX);
        return Files.writeString(dir.resolve("nsd.conf"), c);
    }

    static Path knotConfig(Path dir, int port) throws IOException {
        zoneFile(dir, 10);
        String c = """
                server:
                    rundir: "%2$s"
                    listen: 127.0.0.1@%1$d
                    udp-workers: 1
                    tcp-workers: 1
                    background-workers: 1
                database:
                    storage: "%2$s/db"
                log:
                  - target: stderr
                    any: warning
                template:
                  - id: default
                    storage: "%2$s"
                    zonefile-sync: -1
                    journal-content: none
                zone:
                  - domain: %3$s
                    file: %3$s.zone
                """.formatted(port, dir, APEX);
        return Files.writeString(dir.resolve("knot.conf"), c);
    }

    /**
     * Jitsu's config: {@code names} services on libvirt's in-process test driver (a domain is defined
     * from the template on first start, so names never queried cost no domain), one event loop.
     */
    static Path jitsuConfig(Path dir, int port, int names, int maxConcurrent) throws IOException {
        Path template = Files.writeString(dir.resolve("domain.xml"), """
                <domain type='test'>
                  <name>${name}</name>
                  <memory unit='KiB'>8192</memory>
                  <os><type>hvm</type></os>
                </domain>
                """);
        StringBuilder c = new StringBuilder("""
                listen:
                  addresses: [127.0.0.1]
                  port: %d
                  event-loops: 1
                admin:
                  enabled: false
                zones:
                  - name: %s
                    nameservers: [ns1.%2$s]
                    hosts:
                      ns1.%2$s: [127.0.0.1]
                boot:
                  max-concurrent: %d
                  max-queued: 1024
                idle:
                  check-interval: 1h
                state-dir: "%s/run"
                backends:
                  lab:
                    type: libvirt
                    uri: "test:///default"
                services:
                """.formatted(port, APEX, maxConcurrent, dir));
        for (int i = 0; i < names; i++) {
            c.append("  - {id: s").append(i).append(", names: [").append(name(i)).append("], addresses: [")
                    .append(address(i)).append("], ttl: 60, idle-timeout: 1h, backend: lab, libvirt: {template: \"")
                    .append(template).append("\"}}\n");
        }
        return Files.writeString(dir.resolve("jitsu-" + names + ".yml"), c);
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
    }
}
