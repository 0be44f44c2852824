package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A template on two Jitsu instances sharing a real etcd: a new name asked of both at once becomes one
 * instance booted once, on the same address on both (it is derived from the name).
 */
@Tag("etcd")
class TemplateClusterIT {
    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension();

    @RegisterExtension
    @Order(2)
    final Cluster cluster = new Cluster(etcd, "/template-cluster-it/");

    private Path config(String name, int dnsPort) throws Exception {
        return cluster.config(name, dnsPort, String.join("\n",
                "  []",
                "templates:",
                "  - id: pages",
                "    pattern: \"{page}.pages.cl.test\"",
                "    pool: [127.0.9.0/24]",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    budget: {per-client-per-minute: 0}",
                ""));
    }

    @Test
    void aNewNameAskedOfTwoInstancesAtOnceIsBootedOnce() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        JitsuServer a = cluster.start(config("ns1", portA));
        JitsuServer b = cluster.start(config("ns2", portB));

        List<String> answers = Cluster.burst("p1.pages.cl.test", 200, portA, portB);
        assertThat(answers).hasSize(200);
        assertThat(answers.get(0)).startsWith("127.0.9.");
        assertThat(answers).as("one address, from both instances").containsOnly(answers.get(0));
        ServiceStatus sa = a.pipeline().core().status("pages.p1").orElseThrow();
        ServiceStatus sb = b.pipeline().core().status("pages.p1").orElseThrow();
        assertThat(sa.boots() + sb.boots()).as("one boot across both instances").isEqualTo(1);
        assertThat(sa.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(sb.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(cluster.pidFiles()).as("one process started").isEqualTo(1);

        List<String> other = Cluster.burst("p2.pages.cl.test", 20, portB, portA);
        assertThat(other).hasSize(20).containsOnly(other.get(0)).doesNotContain(answers.get(0));
        assertThat(cluster.pidFiles()).isEqualTo(2);
    }
}
