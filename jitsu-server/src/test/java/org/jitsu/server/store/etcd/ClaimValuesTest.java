package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.store.etcd.ClaimValues.Holder;
import org.jitsu.server.store.etcd.ClaimValues.Phase;
import org.jitsu.server.store.etcd.ClaimValues.VmRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The claim protocol's values: the exact text etcd holds (and transactions compare), and what is not one. */
@Tag("fast")
class ClaimValuesTest {

    @Test
    void aClaimIsThePhaseAndTheInstance() {
        assertThat(Holder.booting("ns1").encode()).isEqualTo("booting ns1");
        assertThat(Holder.running("ns-2.a_b").encode()).isEqualTo("running ns-2.a_b");
        assertThat(Holder.decode("booting ns1")).contains(new Holder(Phase.BOOTING, "ns1"));
        assertThat(Holder.decode("running ns1")).contains(Holder.running("ns1"));
        for (Holder h : new Holder[] {Holder.booting("ns1"), Holder.running("ns1")}) {
            assertThat(Holder.decode(h.encode())).as("round trip of %s", h).contains(h);
        }
    }

    @Test
    void aClaimKnowsItsHolderAndWhetherItRuns() {
        assertThat(Holder.running("ns1").runs()).isTrue();
        assertThat(Holder.booting("ns1").runs()).isFalse();
        assertThat(Holder.booting("ns1").heldBy("ns1")).isTrue();
        assertThat(Holder.booting("ns1").heldBy("ns10")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "booting", "booting ", "running  ns1", "running ns1 ns2", "stopped ns1",
            "BOOTING ns1", " booting ns1", "booting\tns1", "ns1", "running ns1\n"})
    void anythingElseIsNotAClaim(String text) {
        assertThat(Holder.decode(text)).isEmpty();
    }

    @Test
    void aVmRecordIsTheInstanceThenTheHandleWhichMayHaveSpaces() {
        VmRecord process = new VmRecord("ns1", "4242 2026-01-01T00:00:00Z");
        assertThat(process.encode()).isEqualTo("ns1 4242 2026-01-01T00:00:00Z");
        assertThat(VmRecord.decode("ns1 4242 2026-01-01T00:00:00Z")).contains(process);
        assertThat(VmRecord.decode("ns2 6f1c2c1e-8f0b-4c43-9d7a-1b2c3d4e5f60"))
                .contains(new VmRecord("ns2", "6f1c2c1e-8f0b-4c43-9d7a-1b2c3d4e5f60"));
        assertThat(process.leftBehind()).isEqualTo(new BootCoordinator.LeftBehind("ns1", "4242 2026-01-01T00:00:00Z"));
    }

    @Test
    void aVmRecordWithAnEmptyHandleReadsBackAsWritten() {
        // Vm.handle() may in principle be an empty text: written as "ns1 ", it comes back the same
        assertThat(VmRecord.decode(new VmRecord("ns1", "").encode())).contains(new VmRecord("ns1", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ns1", " 4242 2026-01-01T00:00:00Z", " "})
    void aVmRecordWithoutAnInstanceAndASpaceIsNone(String text) {
        assertThat(VmRecord.decode(text)).isEqualTo(Optional.empty());
    }

    @Test
    void anInstanceThatCouldNotBeReadBackIsRefusedWhenWritten() {
        assertThatThrownBy(() -> Holder.booting("ns 1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instance");
        assertThatThrownBy(() -> Holder.running("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VmRecord("", "4242 x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VmRecord("ns 1", "4242 x")).isInstanceOf(IllegalArgumentException.class);
    }
}
