package org.jitsu.server.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.StopMode;

/** Counts what the pipeline reports; thread-safe. */
final class CountingMetrics implements PipelineMetrics {
    final AtomicInteger warmHits = new AtomicInteger();
    final AtomicInteger joined = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger joinedElsewhere = new AtomicInteger();
    final AtomicInteger adopted = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger timedOut = new AtomicInteger();
    final AtomicInteger rejected = new AtomicInteger();
    final List<String> stops = new CopyOnWriteArrayList<>();
    /** {@code service:waitedMillis:ok} per cold answer. */
    final List<String> coldWaits = new CopyOnWriteArrayList<>();
    volatile int maxRunning;
    /** One permit per query that started or joined a boot: tests wait on it with a timeout. */
    final Semaphore bootQueries = new Semaphore(0);

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
}
