package org.jitsu.server.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.server.core.ServiceStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The state machine of one service: STOPPED → BOOTING → RUNNING → STOPPING → STOPPED, and
 * SUSPENDED → BOOTING. The transitions are here; one boot is a {@link BootAttempt} with a
 * {@link BootOutcome}, a stop is a {@link StopProcedure}, idleness is an {@link IdlePolicy}, and what
 * is told to the journal, the metrics and the log is a {@link ServiceReporter}.
 *
 * <p>Thread-safe. The warm path ({@link #warm()} while RUNNING) is a volatile write between two
 * volatile reads, with no lock and no allocation. Every transition happens under this object's lock;
 * signals to waiters, backend calls and logging happen after the lock is released.
 *
 * <p>The warm path and the idle check pair up like Dekker's protocol: a request writes
 * {@code lastRequest} and then re-reads {@code state}; the idle check writes {@code state = STOPPING}
 * and then reads {@code lastRequest}. With volatile fields at least one of them sees the other's
 * write, so a request never gets the endpoints of a service whose stop has begun: either the check
 * sees the fresh request and backs off, or the request sees STOPPING and waits for the stop and a new
 * boot.
 *
 * <p>Over 400 lines because every transition of the one state machine is here, under the one lock, where
 * they can be read against each other (the warm path against the idle check, a boot's end against a stop
 * in flight); the work between transitions is in the helpers above.
 */
final class ServiceRuntime implements ManagedService {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    private static final long NEVER = Long.MIN_VALUE;

    private final ServiceContext ctx;
    private final ServiceDefinition def;
    private final String id;
    private final IdlePolicy idlePolicy;
    private final StopProcedure stopProcedure;
    private final ServiceReporter reporter;
    private final Mono<Endpoints> endpoints;

    private volatile State state = State.STOPPED;
    private volatile long lastRequest = NEVER;

    // guarded by this
    private long since;
    private long readySince;
    private BootAttempt boot;
    private Sinks.Empty<Void> stopDone;
    private long boots;
    private long failures;
    private long lastBootMillis = -1;
    /** The last-request time last given to the journal (read and written by the idle tick only). */
    private long journaledRequest = NEVER;
    /** True when the journal says this service ran (or was booting) when the last run ended. */
    private boolean ranBefore;
    /** False while the service runs because another instance booted it: this one never stops its VM. */
    private boolean owner = true;
    /** True once a template forgot this instance: it never boots again (see {@link #retireIfForgettable}). */
    private boolean retired;

    ServiceRuntime(ServiceContext ctx) {
        this.ctx = ctx;
        this.def = ctx.def();
        this.id = def.id();
        this.idlePolicy = new IdlePolicy(def.idleTimeout().toMillis());
        this.stopProcedure = new StopProcedure(ctx);
        this.reporter = new ServiceReporter(ctx);
        this.endpoints = Mono.just(new Endpoints(def.addresses()));
        this.since = ctx.now();
        ctx.journal().saved(id).ifPresent(saved -> {
            boots = saved.boots();
            failures = saved.failures();
            lastBootMillis = saved.lastBootMillis().orElse(-1L);
            ranBefore = saved.state() == State.RUNNING || saved.state() == State.BOOTING
                    || saved.state() == State.SUSPENDED;
            saved.lastQuery().ifPresent(q -> {
                lastRequest = q.toEpochMilli();
                journaledRequest = lastRequest;
            });
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ServiceDefinition definition() {
        return def;
    }

    @Override
    public boolean warm() {
        if (state == State.RUNNING) {
            lastRequest = ctx.now();
            if (state == State.RUNNING) {
                ctx.metrics().warmHit(id);
                return true;
            }
        }
        return false;
    }

    @Override
    public Mono<Endpoints> ensureRunning() {
        return warm() ? endpoints : cold(Demand.REQUEST);
    }

    @Override
    public void touch() {
        if (state == State.RUNNING) {
            lastRequest = ctx.now();
            if (state == State.RUNNING) {
                return;
            }
        }
        // the whole cold path on the core's timer: an at-once answer waits for nothing (on a DNS event
        // loop it cost 0.1 to 0.7 ms, mostly code that runs once per boot and so is never compiled); the
        // boot it starts is the one every later caller joins (cold stamps the traffic there)
        ctx.timer().schedule(() -> cold(Demand.TOUCH));
    }

    @Override
    public Mono<Void> start() {
        return cold(Demand.OPERATOR).then();
    }

    @Override
    public Mono<Void> stop(String reason) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done;
            Mono<Void> wait;
            synchronized (this) {
                switch (state) {
                    case RUNNING:
                        state = State.STOPPING;
                        since = ctx.now();
                        done = Sinks.empty();
                        stopDone = done;
                        wait = null;
                        break;
                    case BOOTING:
                        done = null;
                        wait = boot == null ? Mono.empty() : boot.answer().then();
                        break;
                    case STOPPING:
                        done = null;
                        wait = stopDone == null ? Mono.empty() : stopDone.asMono();
                        break;
                    default:
                        return Mono.<Void>empty();
                }
            }
            if (done == null) {
                // after the boot (or the stop in flight), stop again if it runs then
                return wait.then(Mono.defer(() -> state == State.RUNNING ? stop(reason) : Mono.<Void>empty()));
            }
            stopVm(def.stopMode(), def.stopGrace(), reason, done, -1);
            return done.asMono();
        });
    }

    /** Refreshes the idle clock when it runs, counting nothing (a replica kept alive by its set's traffic). */
    void refreshIfRunning() {
        if (state == State.RUNNING) {
            lastRequest = ctx.now();
        }
    }

    /** The state now (a volatile read, no snapshot). */
    State currentState() {
        return state;
    }

    /** When it last had traffic or changed state, on the core's clock. */
    synchronized long lastActivity() {
        return lastRequest == NEVER ? since : Math.max(since, lastRequest);
    }

    /** True when no boot is in flight. */
    synchronized boolean idle() {
        return boot == null;
    }

    /**
     * A template's lookup of this instance, counting as traffic: false once it is forgotten (the
     * template then makes a new instance). Under the lock, so that no lookup that got true races the
     * forgetting: after it, the instance is not forgettable for a whole {@code forgetAfter}.
     */
    synchronized boolean use(long now) {
        if (retired) {
            return false;
        }
        lastRequest = now;
        return true;
    }

    /**
     * Forgets this instance when it is stopped, no boot is in flight and nothing asked for it (nor did it
     * change state) for {@code afterMillis}: from then on it never boots again. True when it is (now or
     * before) forgotten.
     */
    synchronized boolean retireIfForgettable(long now, long afterMillis) {
        if (retired) {
            return true;
        }
        if (state != State.STOPPED || boot != null || stopDone != null) {
            return false;
        }
        if (now - lastActivity() < afterMillis) {
            return false;
        }
        retired = true;
        return true;
    }

    /**
     * The cold path: joins the boot in flight or starts one (through the gate), and for a waiting demand
     * returns the endpoints once ready; empty for one that does not wait.
     */
    private Mono<Endpoints> cold(Demand demand) {
        long now = ctx.now();
        if (demand.traffic) {
            lastRequest = now;
        }
        BootAttempt b;
        boolean created = false;
        int slot = -1;
        Mono<Void> before = Mono.empty();
        synchronized (this) {
            if (retired) {
                return demand.waits ? Mono.error(new ServiceUnavailableException(id,
                        ServiceUnavailableException.Reason.FORGOTTEN, "instance " + id + " was forgotten")) : Mono.empty();
            }
            switch (state) {
                case RUNNING:
                    b = null;
                    break;
                case BOOTING:
                    b = boot;
                    break;
                case STOPPING:
                    b = boot;
                    if (b == null) {
                        before = stopDone.asMono();
                        created = true;
                    }
                    break;
                default:
                    b = null;
                    created = true;
                    break;
            }
            if (created) {
                Optional<BootGate.Ticket> ticket = ctx.gate().tryEnter();
                if (ticket.isEmpty()) {
                    ctx.metrics().bootRejected(id);
                    return demand.waits ? Mono.error(new ServiceUnavailableException(id,
                            ServiceUnavailableException.Reason.QUEUE_FULL, "boot queue full (maxQueued="
                            + ctx.limits().maxQueued() + "), service " + id)) : Mono.empty();
                }
                b = new BootAttempt(ctx, ticket.get(), now, demand == Demand.TAKE_OVER);
                boot = b;
                if (state != State.STOPPING) {
                    state = State.BOOTING;
                    since = now;
                }
            }
            if (b != null && demand.waits) {
                int maxWaiters = ctx.limits().maxWaitersPerBoot();
                Optional<Integer> joined = b.join(now, demand.traffic, maxWaiters);
                if (joined.isEmpty()) {
                    return Mono.error(new ServiceUnavailableException(id,
                            ServiceUnavailableException.Reason.TOO_MANY_WAITERS, "too many queries waiting for service "
                            + id + " (maxWaitersPerBoot=" + maxWaiters + ")"));
                }
                slot = joined.get();
            }
        }
        if (b == null) {
            if (demand == Demand.REQUEST) {
                ctx.metrics().warmHit(id);
            }
            return demand.waits ? endpoints : Mono.empty();
        }
        if (created) {
            // off the caller's thread (a DNS event loop, a front connection's): subscribing to the boot
            // and journalling its start cost the caller half a millisecond of CPU, which every other query
            // on that loop would wait for
            BootAttempt started = b;
            Mono<Void> after = before;
            ctx.timer().schedule(() -> {
                launch(started, after);
                reporter.journal(status()); // BOOTING: after the launch, never before it (see ServiceJournal)
            });
        } else if (demand == Demand.REQUEST) {
            ctx.metrics().joinedBoot(id);
        }
        if (!demand.waits) {
            return Mono.empty();
        }
        BootAttempt joined = b;
        int joinedSlot = slot;
        // nothing per waiter but the choice of outcome: the waits are recorded for all waiters at once
        // after they have been answered (bootFinished)
        return b.answer()
                .flatMap(unavailable -> unavailable.isEmpty() ? endpoints : Mono.<Endpoints>error(unavailable.get()))
                .doOnCancel(() -> joined.leave(joinedSlot));
    }

    private void launch(BootAttempt b, Mono<Void> before) {
        b.run(before).subscribe(outcome -> bootFinished(b, outcome));
    }

    /**
     * Another instance that owned this service died and left its VM behind: unless this instance boots
     * it already or owns it, it claims it (as a boot without a caller) to adopt the VM and stop it when
     * idle; an instance that loses the claim follows the winner.
     */
    void leftBehind() {
        synchronized (this) {
            if (state == State.RUNNING && !owner) {
                state = State.STOPPED; // forget: it ran under the dead owner
                since = ctx.now();
                owner = true;
            } else if (state != State.STOPPED) {
                return;
            }
        }
        log.info("service {}: its owner died and left its VM behind; taking it over", id);
        cold(Demand.TAKE_OVER);
    }

    private void bootFinished(BootAttempt b, BootOutcome outcome) {
        long now = ctx.now();
        long took = now - b.startedAt();
        Sinks.Empty<Void> destroyDone = null;
        long[] arrivals;
        synchronized (this) {
            boot = null;
            arrivals = b.arrivals();
            if (outcome.ready()) {
                state = State.RUNNING;
                since = now;
                readySince = now;
                owner = outcome.kind() != BootOutcome.Kind.RUNNING_ELSEWHERE;
                if (outcome.kind() == BootOutcome.Kind.BOOTED) {
                    boots++;
                    lastBootMillis = took;
                }
            } else {
                if (outcome.failure()) {
                    failures++;
                }
                if (state != State.STOPPING && !b.vmTouched()) {
                    // failed before the VM was touched (timed out in the queue): nothing to clean up
                    state = State.STOPPED;
                    since = now;
                } else if (state != State.STOPPING) {
                    // the VM may be half started: destroy it before anyone boots it again
                    state = State.STOPPING;
                    since = now;
                    destroyDone = Sinks.empty();
                    stopDone = destroyDone;
                }
                // else: the boot timed out while a stop was still running; that stop decides the state
            }
        }
        if (b.claimed() && destroyDone == null) {
            ctx.coordinator().released(id, outcome.ready()); // after a destroy, its end releases the claim
        }
        // The waiters are answered first; metrics, the log line and the journal come after, so that no
        // answer waits for them (nor for the store's write: see ServiceJournal for why none needs to).
        b.answer(outcome.unavailable(id, reporter));
        long answered = ctx.now();
        reporter.bootEnded(outcome, took, arrivals, now);
        reporter.coldStartEnded(b.startedAt(), b.steps(), outcome.kind() == BootOutcome.Kind.BOOTED, answered);
        reporter.journal(status());
        if (destroyDone != null) {
            stopVm(StopMode.DESTROY, Duration.ZERO, StopProcedure.FAILED_BOOT, destroyDone, -1);
        }
    }

    /** One idle check: stops the service when it has had no traffic for its idle timeout. */
    void idleCheck() {
        long now = ctx.now();
        long idle;
        boolean flush = false;
        Sinks.Empty<Void> done = null;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING; // written before lastRequest is read: see the class comment
            idle = idlePolicy.idleFor(now, Math.max(lastRequest, ctx.traffic().lastTraffic(id, now)), readySince,
                    ctx.coordinator().lastQueryElsewhere(id));
            if (!idlePolicy.expired(idle)) {
                state = State.RUNNING;
                flush = lastRequest != journaledRequest;
                journaledRequest = lastRequest;
            } else if (!owner) {
                // another instance owns the VM and stops it: this one only forgets that it runs
                state = State.STOPPED;
                since = now;
                owner = true;
            } else {
                since = now;
                done = Sinks.empty();
                stopDone = done;
            }
        }
        if (done == null) {
            if (flush || state == State.STOPPED) {
                reporter.journal(status()); // write-coalesced: at most once per idle tick, only after traffic
            }
            return;
        }
        stopVm(def.stopMode(), def.stopGrace(), "idle", done, idle);
    }

    private void stopVm(StopMode mode, Duration grace, String reason, Sinks.Empty<Void> done, long idleMillis) {
        stopProcedure.run(mode, grace, reason, idleMillis, target -> stopFinished(done, target));
    }

    private void stopFinished(Sinks.Empty<Void> done, State target) {
        long now = ctx.now();
        synchronized (this) {
            if (stopDone == done) {
                stopDone = null;
            }
            since = now;
            // a request that came during the stop has a boot waiting for this signal
            state = boot != null ? State.BOOTING : target;
        }
        if (target != State.RUNNING) {
            ctx.coordinator().released(id, false);
        }
        reporter.journal(status());
        done.tryEmitEmpty();
    }

    /** A state change the backend saw: a running service whose VM died is marked stopped. */
    void onEvent(VmEvent event) {
        State next;
        synchronized (this) {
            if (state == State.BOOTING && boot != null && boot.vmEvent(event.state(), event.detail())) {
                return; // the boot fails and cleans up
            }
            if (state != State.RUNNING) {
                return; // a boot or stop in flight decides
            }
            switch (event.state()) {
                case STOPPED:
                case CRASHED:
                    next = State.STOPPED;
                    break;
                case PAUSED:
                    next = State.SUSPENDED;
                    break;
                default:
                    return;
            }
            state = next;
            since = ctx.now();
        }
        log.info("service {}: VM {} reported {} ({}); now {}", id, event.vmId(), event.state(), event.detail(), next);
        reporter.journal(status());
    }

    /** At start-up: takes over a VM found running (with a full idle period) or paused. */
    void adopt(VmState vmState) {
        State next;
        synchronized (this) {
            if (state != State.STOPPED || boot != null || retired) {
                return;
            }
            if (vmState == VmState.RUNNING) {
                next = State.RUNNING;
                readySince = ctx.now();
            } else if (vmState == VmState.PAUSED) {
                next = State.SUSPENDED;
            } else {
                return;
            }
            state = next;
            since = ctx.now();
        }
        log.info("service {}: VM {} found {} at start-up ({}); now {}", id, def.vm().id(), vmState,
                ranBefore ? "started by Jitsu before the restart" : "not started by this Jitsu's store", next);
        reporter.journal(status());
    }

    @Override
    public synchronized ServiceStatus status() {
        long last = lastRequest;
        return new ServiceStatus(id, state, Instant.ofEpochMilli(since),
                last == NEVER ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last)), boots, failures,
                lastBootMillis < 0 ? Optional.empty() : Optional.of(lastBootMillis));
    }
}
