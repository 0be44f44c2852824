package org.jitsu.server.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.ColdStartPhase;
import org.jitsu.server.core.CoreMetrics;

/** Counts what the core reports; thread-safe. */
public final class CountingMetrics implements CoreMetrics {
    public final AtomicInteger warmHits = new AtomicInteger();
    public final AtomicInteger joined = new AtomicInteger();
    public final AtomicInteger started = new AtomicInteger();
    public final AtomicInteger joinedElsewhere = new AtomicInteger();
    public final AtomicInteger adopted = new AtomicInteger();
    public final AtomicInteger succeeded = new AtomicInteger();
    public final AtomicInteger failed = new AtomicInteger();
    public final AtomicInteger timedOut = new AtomicInteger();
    public final AtomicInteger rejected = new AtomicInteger();
    public final List<String> stops = new CopyOnWriteArrayList<>();
    /** {@code service:waitedMillis:ok} per cold answer. */
    public final List<String> coldWaits = new CopyOnWriteArrayList<>();
    /** {@code service:millis} per successful boot. */
    public final List<String> bootDurations = new CopyOnWriteArrayList<>();
    /** {@code service:PHASE:millis} per cold-start phase, in the order reported. */
    public final List<String> coldStartPhases = new CopyOnWriteArrayList<>();
    public volatile int maxRunning;
    /** One permit per query that started or joined a boot: tests wait on it with a timeout. */
    public final Semaphore bootQueries = new Semaphore(0);

    @Override
    public void warmHit(String serviceId) {
        warmHits.incrementAndGet();
    }

    @Override
    public void joinedBoot(String serviceId) {
        joined.incrementAndGet();
        bootQueries.release();
    }

    @Override
    public void bootStarted(String serviceId) {
        started.incrementAndGet();
        bootQueries.release();
    }

    @Override
    public void bootJoinedElsewhere(String serviceId) {
        joinedElsewhere.incrementAndGet();
    }

    @Override
    public void vmAdopted(String serviceId) {
        adopted.incrementAndGet();
    }

    @Override
    public void bootSucceeded(String serviceId, Duration duration) {
        succeeded.incrementAndGet();
        bootDurations.add(serviceId + ":" + duration.toMillis());
    }

    @Override
    public void bootFailed(String serviceId, boolean timedOut, Duration duration) {
        failed.incrementAndGet();
        if (timedOut) {
            this.timedOut.incrementAndGet();
        }
    }

    @Override
    public void bootRejected(String serviceId) {
        rejected.incrementAndGet();
    }

    @Override
    public synchronized void bootsInFlight(int running, int queued) {
        maxRunning = Math.max(maxRunning, running);
    }

    @Override
    public void stopped(String serviceId, StopMode mode, String reason) {
        stops.add(serviceId + ":" + mode.configName() + ":" + reason);
    }

    @Override
    public void coldAnswered(String serviceId, Duration waited, boolean ok) {
        coldWaits.add(serviceId + ":" + waited.toMillis() + ":" + ok);
    }

    @Override
    public void coldStartPhase(String serviceId, ColdStartPhase phase, Duration took) {
        coldStartPhases.add(serviceId + ":" + phase + ":" + took.toMillis());
    }
}
