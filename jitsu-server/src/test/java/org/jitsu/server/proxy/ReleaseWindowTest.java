package org.jitsu.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class ReleaseWindowTest {
    private final List<String> granted = new ArrayList<>();

    private Runnable grant(String name) {
        return () -> granted.add(name);
    }

    @Test
    void placesAreTakenUpToTheSizeThenTheRestWaitInOrder() {
        ReleaseWindow w = new ReleaseWindow(2);
        assertThat(w.take(grant("a"))).isTrue();
        assertThat(w.take(grant("b"))).isTrue();
        assertThat(w.take(grant("c"))).isFalse();
        assertThat(w.take(grant("d"))).isFalse();
        assertThat(w.taken()).isEqualTo(2);
        assertThat(w.waiting()).isEqualTo(2);

        w.giveBack();
        assertThat(granted).as("the place passes to the first in line").containsExactly("c");
        assertThat(w.taken()).isEqualTo(2);
        w.giveBack();
        w.giveBack();
        assertThat(granted).containsExactly("c", "d");
        assertThat(w.taken()).isOne();
        w.giveBack();
        assertThat(w.taken()).isZero();
    }

    @Test
    void aConnectionThatWasNeverHeldPassesWithoutAPlaceUnlessOthersWait() {
        ReleaseWindow w = new ReleaseWindow(1);
        assertThat(w.pass(grant("warm"))).isTrue();
        assertThat(w.taken()).as("passing takes no place").isZero();
        assertThat(w.take(grant("held"))).isTrue();
        assertThat(w.pass(grant("newcomer"))).as("the window is full").isFalse();
        assertThat(w.take(grant("held later"))).isFalse();
        w.giveBack();
        w.giveBack();
        assertThat(granted).as("in arrival order, the newcomer too").containsExactly("newcomer", "held later");
    }

    @Test
    void aWindowHasAtLeastOnePlace() {
        assertThatThrownBy(() -> new ReleaseWindow(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window 0");
    }
}
