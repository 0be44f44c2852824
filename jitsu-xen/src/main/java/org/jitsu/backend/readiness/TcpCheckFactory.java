package org.jitsu.backend.readiness;

import java.net.InetSocketAddress;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/** {@code tcp: ADDRESS:PORT}: a TCP connect to an IP literal and port succeeds. */
public final class TcpCheckFactory implements ReadinessCheckFactory {

    /** For {@link java.util.ServiceLoader}. */
    public TcpCheckFactory() {
    }

    @Override
    public String key() {
        return "tcp";
    }

    @Override
    public String syntax() {
        return "tcp: ADDRESS:PORT";
    }

    @Override
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        InetSocketAddress address = Settings.parseSocketAddress(item.keyPath(key()), item.string(key()), -1);
        return new TcpCheck(address, Attempts.TIMEOUT, timer);
    }
}
