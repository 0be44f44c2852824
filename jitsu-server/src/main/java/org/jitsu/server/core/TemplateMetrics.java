package org.jitsu.server.core;

import java.time.Duration;
import org.jitsu.backend.StopMode;

/** The core's metrics with every instance id replaced by its template's id: bounded label sets. */
record TemplateMetrics(String templateId, CoreMetrics delegate) implements CoreMetrics {
    @Override
    public void warmHit(String serviceId) {
        delegate.warmHit(templateId);
    }

    @Override
    public void joinedBoot(String serviceId) {
        delegate.joinedBoot(templateId);
    }

    @Override
    public void bootStarted(String serviceId) {
        delegate.bootStarted(templateId);
    }

    @Override
    public void bootJoinedElsewhere(String serviceId) {
        delegate.bootJoinedElsewhere(templateId);
    }

    @Override
    public void vmAdopted(String serviceId) {
        delegate.vmAdopted(templateId);
    }

    @Override
    public void bootSucceeded(String serviceId, Duration duration) {
        delegate.bootSucceeded(templateId, duration);
    }

    @Override
    public void bootFailed(String serviceId, boolean timedOut, Duration duration) {
        delegate.bootFailed(templateId, timedOut, duration);
    }

    @Override
    public void bootRejected(String serviceId) {
        delegate.bootRejected(templateId);
    }

    @Override
    public void bootsInFlight(int running, int queued) {
        delegate.bootsInFlight(running, queued);
    }

    @Override
    public void stopped(String serviceId, StopMode mode, String reason) {
        delegate.stopped(templateId, mode, reason);
    }

    @Override
    public void coldAnswered(String serviceId, Duration waited, boolean ok) {
        delegate.coldAnswered(templateId, waited, ok);
    }

    @Override
    public void coldStartPhase(String serviceId, ColdStartPhase phase, Duration took) {
        delegate.coldStartPhase(templateId, phase, took);
    }
}
