package org.jitsu.backend.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Who a process backend's commands run as, against passwd and group lines and credentials of the test's. */
@Tag("fast")
class RunAsTest {
    private static final RunAs.Accounts ACCOUNTS = new RunAs.Accounts(
            List.of("root:x:0:0:root:/root:/bin/bash", "jitsu:x:998:997:Jitsu:/var/lib/jitsu:/usr/sbin/nologin",
                    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"),
            List.of("root:x:0:", "jitsu:x:997:", "libvirt:x:120:jitsu", "nogroup:x:65534:"));
    /** root: every capability. */
    private static final RunAs.Credentials ROOT = new RunAs.Credentials(0, 0, 0x1ffffffffffL);
    /** The jitsu user with only CAP_NET_BIND_SERVICE (10), as the packaged unit runs it. */
    private static final RunAs.Credentials JITSU = new RunAs.Credentials(998, 997, 1L << 10);

    private static RunAs resolve(Map<String, ?> settings, RunAs.Credentials creds) {
        return RunAs.resolve(Settings.of("backends.local", settings), ACCOUNTS, creds, true);
    }

    @Test
    void byDefaultCommandsRunAsTheServerItselfWithNoSwitch() {
        RunAs asJitsu = resolve(Map.of(), JITSU);
        assertThat(asJitsu).isEqualTo(new RunAs(998, 997, Optional.of("jitsu"), true));
        assertThat(asJitsu.setprivArgs(Path.of("/usr/bin/setpriv"))).isEmpty();
        assertThat(asJitsu.root()).isFalse();
        assertThat(resolve(Map.of(), ROOT).root()).as("a root server's default: warned about at start").isTrue();
        assertThat(resolve(Map.of("user", "jitsu"), JITSU).self()).as("its own name: no switch either").isTrue();
    }

    @Test
    void aUserByNameRunsWithItsPrimaryGroupAndSupplementaryGroups() {
        RunAs r = resolve(Map.of("user", "jitsu"), ROOT);
        assertThat(r).isEqualTo(new RunAs(998, 997, Optional.of("jitsu"), false));
        assertThat(r.setprivArgs(Path.of("/usr/bin/setpriv")))
                .containsExactly("/usr/bin/setpriv", "--reuid=998", "--regid=997", "--init-groups", "--");
    }

    @Test
    void aGroupOverridesThePrimaryOneAndNumbersWorkWithoutAnEntry() {
        assertThat(resolve(Map.of("user", "nobody", "group", "libvirt"), ROOT))
                .isEqualTo(new RunAs(65534, 120, Optional.of("nobody"), false));
        RunAs bare = resolve(Map.of("user", 4242), ROOT);
        assertThat(bare).isEqualTo(new RunAs(4242, 4242, Optional.empty(), false));
        assertThat(bare.setprivArgs(Path.of("/usr/bin/setpriv"))).as("no passwd entry: no supplementary groups")
                .containsExactly("/usr/bin/setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", "--");
        assertThat(resolve(Map.of("user", "998"), ROOT).user()).as("a uid with an entry gets its name")
                .contains("jitsu");
    }

    @Test
    void anUnknownUserOrGroupIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> resolve(Map.of("user", "jitus"), ROOT)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backends.local.user").hasMessageContaining("jitus")
                .hasMessageContaining("a user in /etc/passwd");
        assertThatThrownBy(() -> resolve(Map.of("group", "wheel"), ROOT)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backends.local.group").hasMessageContaining("wheel");
    }

    @Test
    void aServerWithoutTheCapabilitiesCannotSwitchAndSaysSoAtStart() {
        assertThatThrownBy(() -> resolve(Map.of("user", "nobody"), JITSU)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backends.local.user").hasMessageContaining("nobody")
                .hasMessageContaining("uid 998").hasMessageContaining("CAP_SETUID");
        assertThatThrownBy(() -> resolve(Map.of("group", "libvirt"), JITSU)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backends.local.group");
        assertThatThrownBy(() -> RunAs.resolve(Settings.of("backends.local", Map.of("user", "nobody")), ACCOUNTS,
                ROOT, false)).isInstanceOf(ConfigException.class).hasMessageContaining("setpriv");
    }

    @Test
    void credentialsAreTheEffectiveIdsAndCapabilitiesOfProcStatus() {
        RunAs.Credentials c = RunAs.Credentials.of(List.of("Name:\tjava", "Uid:\t1000\t998\t998\t998",
                "Gid:\t1000\t997\t997\t997", "CapInh:\t0000000000000000", "CapEff:\t0000000000000400"));
        assertThat(c).isEqualTo(new RunAs.Credentials(998, 997, 0x400));
        assertThat(c.has(10)).as("CAP_NET_BIND_SERVICE").isTrue();
        assertThat(c.has(RunAs.CAP_SETUID)).isFalse();
    }
}
