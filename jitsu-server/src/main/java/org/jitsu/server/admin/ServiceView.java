package org.jitsu.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One service as the admin API shows it.
 *
 * @param id the service id
 * @param names its DNS names
 * @param addresses its addresses
 * @param backend the name of its backend
 * @param state STOPPED, BOOTING, RUNNING, STOPPING or SUSPENDED
 * @param since when it entered that state
 * @param lastQuery when it was last asked for
 * @param boots boots that succeeded
 * @param failures boots that failed or timed out
 * @param lastBootMillis duration of the last successful boot
 */
public record ServiceView(String id, List<String> names, List<String> addresses, String backend, String state,
                          Instant since, Optional<Instant> lastQuery, long boots, long failures,
                          Optional<Long> lastBootMillis) {
    public ServiceView {
        names = List.copyOf(names);
        addresses = List.copyOf(addresses);
    }
}
