package org.jitsu.backend.xenstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.jitsu.backend.readiness.ReadinessChecks;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The {@code xenstore:} readiness item as config: parsed without libxenstore, every error naming its key. */
@Tag("fast")
class XenstoreCheckConfigTest {
    private final Scheduler timer = Schedulers.newSingle("test-timer");

    @AfterEach
    void dispose() {
        timer.dispose();
    }

    private static Settings item(Object value) {
        return Settings.of("services[0].readiness[1]", Map.of("xenstore", value));
    }

    @Test
    void theShortAndTheLongFormAreDescribedAsWritten() {
        assertThat(ReadinessChecks.standard().parse(item("data/ready"), timer).describe()).isEqualTo("xenstore data/ready");
        assertThat(ReadinessChecks.standard().parse(item(Map.of("key", "data/ready", "value", "1", "timeout", "2s",
                "on-timeout", "answer")), timer).describe()).isEqualTo("xenstore data/ready = 1 within 2000 ms, then answer");
    }

    @Test
    void relativeKeysAreBelowTheDomainsHomeAndAbsoluteOnesAsTheyAre() {
        XenstoreCheckFactory.XenstoreCheck relative = (XenstoreCheckFactory.XenstoreCheck) new XenstoreCheckFactory()
                .parse(item("data/ready"), timer);
        assertThat(relative.pathFor(7)).isEqualTo("/local/domain/7/data/ready");
        XenstoreCheckFactory.XenstoreCheck absolute = (XenstoreCheckFactory.XenstoreCheck) new XenstoreCheckFactory()
                .parse(item("/tool/ready"), timer);
        assertThat(absolute.pathFor(7)).isEqualTo("/tool/ready");
    }

    @Test
    void badItemsNameTheirKey() {
        assertThatThrownBy(() -> new XenstoreCheckFactory().parse(item(Map.of("key", "data/ready", "on-timeout", "answer")), timer))
                .isInstanceOf(ConfigException.class).hasMessageContaining("services[0].readiness[1].xenstore.on-timeout")
                .hasMessageContaining("a timeout to answer after");
        assertThatThrownBy(() -> new XenstoreCheckFactory().parse(item(Map.of("key", "data/ready", "on-timeout", "maybe",
                "timeout", "1s")), timer)).isInstanceOf(ConfigException.class).hasMessageContaining("one of fail, answer");
        assertThatThrownBy(() -> new XenstoreCheckFactory().parse(item("data//ready"), timer))
                .isInstanceOf(ConfigException.class).hasMessageContaining("services[0].readiness[1].xenstore")
                .hasMessageContaining("a Xenstore path");
        assertThatThrownBy(() -> new XenstoreCheckFactory().parse(item(Map.of("key", "a", "wait", "1s")), timer))
                .isInstanceOf(ConfigException.class).hasMessageContaining("wait");
    }
}
