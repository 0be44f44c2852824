package org.jitsu.server.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.server.pipeline.ServiceStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The runtime state machine of one service: STOPPED → BOOTING → RUNNING → STOPPING → STOPPED, and
 * SUSPENDED → BOOTING.
 *
 * <p>Thread-safe. The warm path ({@link #answer} while RUNNING) is two volatile reads and one
 * volatile write, with no lock and no allocation. Every transition happens under this object's lock;
 * signals to waiters, backend calls and logging happen after the lock is released.
 *
 * <p>The warm path and the idle check pair up like Dekker's protocol: a query writes
 * {@code lastQuery} and then re-reads {@code state}; the idle check writes {@code state = STOPPING}
 * and then reads {@code lastQuery}. With volatile fields at least one of them sees the other's write,
 * so a query never gets the address of a service whose stop has begun: either the check sees the
 * fresh query and backs off, or the query sees STOPPING and waits for the stop and a new boot.
 */
final class ServiceRuntime {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    /** Extra time a stop gets on top of its grace before we give up waiting for the backend. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(30);

    private static final long NEVER = Long.MIN_VALUE;

    private final ServiceDefinition def;
    private final Scheduler timer;
    private final BootGate gate;
    private final BootLimits limits;
    private final PipelineMetrics metrics;
    private final ServiceJournal journal;
    private final BootCoordinator coordinator;
    private final String id;
    private final long idleTimeoutMillis;

    private volatile State state = State.STOPPED;
    private volatile long lastQuery = NEVER;

    // guarded by this
    private long since;
    private long idleFrom;
    private Boot boot;
    private Sinks.Empty<Void> stopDone;
    private long boots;
    private long failures;
    private long lastBootMillis = -1;
    /** The last-query time last given to the journal (read and written by the idle tick only). */
    private long journaledQuery = NEVER;
    /** True when the journal says this service ran (or was booting) when the last run ended. */
    private boolean ranBefore;
    /** False while the service runs because another instance booted it: this one never stops its VM. */
    private boolean owner = true;

    ServiceRuntime(ServiceDefinition def, Scheduler timer, BootGate gate, BootLimits limits, PipelineMetrics metrics) {
        this(def, timer, gate, limits, metrics, ServiceJournal.NONE, BootCoordinator.LOCAL);
    }

    ServiceRuntime(ServiceDefinition def, Scheduler timer, BootGate gate, BootLimits limits, PipelineMetrics metrics,
                   ServiceJournal journal, BootCoordinator coordinator) {
        this.def = def;
        this.journal = journal;
        this.coordinator = coordinator;
        this.timer = timer;
        this.gate = gate;
        this.limits = limits;
        this.metrics = metrics;
        this.id = def.id();
        this.idleTimeoutMillis = def.idleTimeout().toMillis();
        this.since = now();
        journal.saved(id).ifPresent(saved -> {
            boots = saved.boots();
            failures = saved.failures();
            lastBootMillis = saved.lastBootMillis().orElse(-1L);
            ranBefore = saved.state() == State.RUNNING || saved.state() == State.BOOTING
                    || saved.state() == State.SUSPENDED;
            saved.lastQuery().ifPresent(q -> {
                lastQuery = q.toEpochMilli();
                journaledQuery = lastQuery;
            });
        });
    }

    /** Tells the journal the current status (outside the lock; never on the warm path). */
    private void journal() {
        try {
            journal.changed(status());
        } catch (RuntimeException e) {
            log.warn("service {}: journal failed: {}", id, e.toString());
        }
    }

    String id() {
        return id;
    }

    ServiceDefinition definition() {
        return def;
    }

    /**
     * Answers a query that needs the service running: {@code warm} at once when it runs, otherwise
     * {@code found} once a (shared) boot succeeds, or a {@link Answer.ServerFailure}.
     */
    Mono<Answer> answer(Mono<Answer> warm, Answer.Found found) {
        if (state == State.RUNNING) {
            lastQuery = now();
            if (state == State.RUNNING) {
                metrics.warmHit(id);
                return warm;
            }
        }
        return cold(warm, found, true, true);
    }

    /**
     * Counts a query that does not need the service's records as traffic: refreshes the idle clock
     * of a running service, starts a boot of a stopped one in the background. Never waits.
     */
    void touch() {
        if (state == State.RUNNING) {
            lastQuery = now();
            if (state == State.RUNNING) {
                return;
            }
        }
        cold(Mono.empty(), null, false, true);
    }

    /** The answer an operator's start waits for: ready (any {@link Answer.Found}) or a failure. */
    private static final Answer.Found STARTED = new Answer.Found(java.util.List.of(), java.util.List.of(),
            java.util.List.of());

    /**
     * An operator's start: boots the service when it is not running (joining a boot in flight), without
     * counting as a query. Completes with empty when it runs, or the reason it does not.
     */
    Mono<Optional<String>> operatorStart() {
        return cold(Mono.just(STARTED), STARTED, true, false)
                .map(a -> a instanceof Answer.ServerFailure f ? Optional.of(f.reason()) : Optional.<String>empty());
    }

    /**
     * An operator's (or a reload's, or a shutdown's) stop with the service's stop mode; {@code reason}
     * goes to the log and the metrics. Waits for a boot in flight to end first; completes when the
     * service is stopped (at once when it is not running).
     */
    Mono<Void> stop(String reason) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done;
            Mono<Void> wait;
            synchronized (this) {
                switch (state) {
                    case RUNNING:
                        state = State.STOPPING;
                        since = now();
                        done = Sinks.empty();
                        stopDone = done;
                        wait = null;
                        break;
                    case BOOTING:
                        done = null;
                        wait = boot == null ? Mono.empty() : boot.result.asMono().then();
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

    /** True when no boot is in flight. */
    synchronized boolean idle() {
        return boot == null;
    }

    private Mono<Answer> cold(Mono<Answer> warm, Answer.Found found, boolean waits, boolean query) {
        return cold(warm, found, waits, query, false);
    }

    /** {@code takeOver}: a boot without a query that only adopts a VM left behind (see {@link #leftBehind}). */
    private Mono<Answer> cold(Mono<Answer> warm, Answer.Found found, boolean waits, boolean query, boolean takeOver) {
        long now = now();
        if (query) {
            lastQuery = now;
        }
        Boot b;
        boolean created = false;
        int slot = -1;
        Mono<Void> before = Mono.empty();
        synchronized (this) {
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
                Optional<BootGate.Ticket> ticket = gate.tryEnter();
                if (ticket.isEmpty()) {
                    metrics.bootRejected(id);
                    return waits ? Mono.just(new Answer.ServerFailure("boot queue full (maxQueued="
                            + limits.maxQueued() + "), service " + id)) : Mono.empty();
                }
                b = new Boot(ticket.get(), now);
                b.takeOver = takeOver;
                boot = b;
                if (state != State.STOPPING) {
                    state = State.BOOTING;
                    since = now;
                }
            }
            if (b != null && waits) {
                if (b.waiters >= limits.maxWaitersPerBoot()) {
                    return Mono.just(new Answer.ServerFailure("too many queries waiting for service " + id
                            + " (maxWaitersPerBoot=" + limits.maxWaitersPerBoot() + ")"));
                }
                b.waiters++;
                slot = query ? b.arrive(now) : -1;
            }
        }
        if (b == null) {
            if (waits && query) {
                metrics.warmHit(id);
            }
            return warm;
        }
        if (created) {
            launch(b, before);
            journal(); // BOOTING: after the launch, never before it (see ServiceJournal)
        } else if (waits && query) {
            metrics.joinedBoot(id);
        }
        if (!waits) {
            return Mono.empty();
        }
        Boot joined = b;
        int joinedSlot = slot;
        // nothing per waiter but the choice of answer: the wait times are recorded for all waiters at
        // once after they have been answered (bootFinished)
        return b.result.asMono()
                .map(failure -> {
                    return failure.isEmpty() ? (Answer) found : failure.get();
                })
                .doOnCancel(() -> leaveWaiter(joined, joinedSlot));
    }

    private synchronized void leaveWaiter(Boot b, int slot) {
        b.waiters--;
        b.leave(slot);
    }

    private void launch(Boot b, Mono<Void> before) {
        Mono<Void> ready = Mono.empty();
        for (ReadinessCheck check : def.readiness()) {
            ready = ready.then(Mono.defer(() -> check.await(def.vm())));
        }
        // a VM that dies while its readiness is checked fails the boot at once, not at the timeout
        Mono<Void> died = b.vmDied.asMono().flatMap(detail -> Mono.error(
                new BackendException(def.vm().id(), "exited", "stopped while waiting for readiness: " + detail)));
        Mono<Void> readyOrDied = Mono.firstWithSignal(ready, died);
        Mono<Void> work = before
                .then(b.ticket.whenGranted())
                .then(Mono.defer(() -> coordinator.claim(id)))
                .flatMap(claim -> {
                    if (!claim.own()) {
                        b.elsewhere = true;
                        return Mono.<Void>empty();
                    }
                    b.claimed = true;
                    Mono<Void> vm = claim.leftBehind().map(left -> adoptOrStart(b, left))
                            .orElseGet(() -> bootUnlessOnlyTakingOver(b));
                    return vm.then(readyOrDied);
                });
        work.timeout(def.bootTimeout(), timer)
                .doFinally(signal -> gate.leave(b.ticket))
                .subscribe(null, error -> bootFinished(b, error), () -> bootFinished(b, null));
    }

    /** Starts this instance's VM. */
    private Mono<Void> startVm(Boot b) {
        return Mono.defer(() -> {
                    b.vmStarted = true;
                    metrics.bootStarted(id);
                    return def.vm().start();
                })
                .doOnSuccess(ignored -> running(b));
    }

    /**
     * Takes over the VM a dead owner left behind when it still runs (a paused one is resumed by the
     * start), else boots: in either case the readiness checks follow, so a boot the owner did not finish
     * is finished here, and a VM that does not get ready is destroyed like a failed boot.
     */
    private Mono<Void> adoptOrStart(Boot b, BootCoordinator.LeftBehind left) {
        return Mono.defer(() -> def.vm().attach(left.handle()))
                .onErrorResume(e -> {
                    log.warn("service {}: cannot look for the VM {} left behind: {}", id, left.instance(), describe(e));
                    return Mono.just(VmState.UNKNOWN);
                })
                .flatMap(vmState -> {
                    if (vmState != VmState.RUNNING && vmState != VmState.PAUSED && vmState != VmState.STARTING) {
                        log.info("service {}: the VM {} left behind ({}) is {}", id, left.instance(), left.handle(),
                                vmState);
                        return bootUnlessOnlyTakingOver(b);
                    }
                    log.info("service {}: adopting the VM {} left {} ({})", id, left.instance(), vmState, left.handle());
                    b.adopted = true;
                    b.vmStarted = true; // from here on a failure destroys it: not leaked
                    Mono<Void> resume = vmState == VmState.RUNNING ? Mono.empty() : Mono.defer(() -> def.vm().start());
                    return resume.doOnSuccess(ignored -> running(b));
                });
    }

    /**
     * Boots, unless this boot only takes a VM over and no query waits for it: then there is nothing to
     * do (no VM is started without a query).
     */
    private Mono<Void> bootUnlessOnlyTakingOver(Boot b) {
        synchronized (this) {
            if (b.takeOver && b.waiters == 0) {
                return Mono.error(NothingToTakeOver.INSTANCE);
            }
        }
        return startVm(b);
    }

    /** A take-over found no VM to adopt: the boot ends without a start, and without counting as failed. */
    private static final class NothingToTakeOver extends RuntimeException {
        static final NothingToTakeOver INSTANCE = new NothingToTakeOver();

        private NothingToTakeOver() {
            super("nothing to take over", null, false, false);
        }
    }

    /** The VM runs: from now on its death fails the boot; its handle is told to the other instances. */
    private void running(Boot b) {
        b.vmRunning = true;
        Mono.defer(() -> def.vm().handle())
                .subscribe(h -> h.ifPresent(handle -> coordinator.runs(id, handle)),
                        e -> log.warn("service {}: cannot tell the other instances which VM runs: {}", id, describe(e)));
    }

    /**
     * Another instance that owned this service died and left its VM behind: unless this instance boots
     * it already or owns it, it claims it (as a boot without a query) to adopt the VM and stop it when
     * idle; an instance that loses the claim follows the winner.
     */
    void leftBehind() {
        synchronized (this) {
            if (state == State.RUNNING && !owner) {
                state = State.STOPPED; // forget: it ran under the dead owner
                since = now();
                owner = true;
            } else if (state != State.STOPPED) {
                return;
            }
        }
        log.info("service {}: its owner died and left its VM behind; taking it over", id);
        cold(Mono.empty(), null, false, false, true);
    }

    private void bootFinished(Boot b, Throwable error) {
        long now = now();
        long took = now - b.startedAt;
        Sinks.Empty<Void> destroyDone = null;
        long[] arrivals;
        synchronized (this) {
            boot = null;
            arrivals = b.arrivals();
            if (error == null) {
                state = State.RUNNING;
                since = now;
                idleFrom = now;
                owner = !b.elsewhere;
                if (owner && !b.adopted) {
                    boots++;
                    lastBootMillis = took;
                }
            } else {
                if (error != NothingToTakeOver.INSTANCE) {
                    failures++;
                }
                if (state != State.STOPPING && !b.vmStarted) {
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
        if (b.claimed && destroyDone == null) {
            coordinator.released(id, error == null); // after a destroy, its end releases the claim
        }
        // The waiters are answered first; metrics, the log line and the journal come after, so that no
        // answer waits for them (nor for the store's write: see ServiceJournal for why none needs to).
        if (error == null) {
            b.result.tryEmitValue(Optional.empty());
            waited(arrivals, now, true);
            if (b.elsewhere) {
                log.info("service {}: running on another instance after {} ms; answering without booting", id, took);
                metrics.bootJoinedElsewhere(id);
            } else if (b.adopted) {
                log.info("service {}: adopted, ready after {} ms", id, took);
                metrics.vmAdopted(id);
            } else {
                metrics.bootSucceeded(id, Duration.ofMillis(took));
                log.info("service {}: booted in {} ms", id, took);
            }
            journal();
            return;
        }
        if (error == NothingToTakeOver.INSTANCE) {
            log.info("service {}: no VM left to take over; it stays stopped until queried", id);
            journal();
            b.result.tryEmitValue(Optional.of(new Answer.ServerFailure("service " + id
                    + " was being taken over from a dead instance; ask again")));
            return;
        }
        boolean timedOut = error instanceof TimeoutException;
        String cause = timedOut ? "timed out after " + def.bootTimeout().toMillis() + " ms" : describe(error);
        b.result.tryEmitValue(Optional.of(new Answer.ServerFailure("boot of service " + id + " " + cause)));
        waited(arrivals, now, false);
        metrics.bootFailed(id, timedOut, Duration.ofMillis(took));
        if (timedOut || error instanceof BackendException) {
            log.warn("service {}: boot failed after {} ms: {}", id, took, cause);
        } else {
            log.warn("service {}: boot failed after {} ms: {}", id, took, cause, error);
        }
        journal();
        if (destroyDone != null) {
            stopVm(StopMode.DESTROY, Duration.ZERO, "failed-boot", destroyDone, -1);
        }
    }

    /** Records how long each query waited for the boot that ended at {@code now} (all at once, after the answers). */
    private void waited(long[] arrivals, long now, boolean ok) {
        for (long arrived : arrivals) {
            if (arrived != Boot.LEFT) {
                metrics.coldAnswered(id, Duration.ofMillis(now - arrived), ok);
            }
        }
    }

    /** One idle check: stops the service when it has had no query for its idle timeout. */
    void idleCheck() {
        long now = now();
        long idle;
        boolean flush = false;
        Sinks.Empty<Void> done = null;
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING; // written before lastQuery is read: see the class comment
            idle = now - Math.max(Math.max(lastQuery, idleFrom), coordinator.lastQueryElsewhere(id));
            if (idle < idleTimeoutMillis) {
                state = State.RUNNING;
                flush = lastQuery != journaledQuery;
                journaledQuery = lastQuery;
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
                journal(); // write-coalesced: at most once per idle tick, only when there was traffic
            }
            return;
        }
        stopVm(def.stopMode(), def.stopGrace(), "idle", done, idle);
    }

    private void stopVm(StopMode mode, Duration grace, String reason, Sinks.Empty<Void> done, long idleMillis) {
        long t0 = now();
        String idle = idleMillis < 0 ? "" : ", idle " + idleMillis + " ms";
        Mono.defer(() -> def.vm().stop(mode, grace))
                .timeout(grace.plus(STOP_MARGIN), timer)
                .subscribe(null, error -> {
                    log.warn("service {}: stop ({}, {}{}) failed after {} ms: {}", id, mode.configName(), reason,
                            idle, now() - t0, describe(error));
                    if ("failed-boot".equals(reason)) {
                        stopFinished(done, State.STOPPED);
                        return;
                    }
                    Mono.defer(() -> def.vm().state())
                            .timeout(STOP_MARGIN, timer)
                            .defaultIfEmpty(VmState.UNKNOWN)
                            .onErrorReturn(VmState.UNKNOWN)
                            .subscribe(vmState -> stopFinished(done, afterFailedStop(vmState)));
                }, () -> {
                    log.info("service {}: stopped ({}, {}{}) in {} ms: ok", id, mode.configName(), reason, idle,
                            now() - t0);
                    metrics.stopped(id, mode, reason);
                    stopFinished(done, mode == StopMode.SUSPEND ? State.SUSPENDED : State.STOPPED);
                });
    }

    /** After a failed stop: STOPPED only when the VM is known not to run; otherwise retry next tick. */
    private static State afterFailedStop(VmState vmState) {
        switch (vmState) {
            case STOPPED:
            case CRASHED:
                return State.STOPPED;
            case PAUSED:
                return State.SUSPENDED;
            default:
                return State.RUNNING;
        }
    }

    private void stopFinished(Sinks.Empty<Void> done, State target) {
        long now = now();
        synchronized (this) {
            if (stopDone == done) {
                stopDone = null;
            }
            since = now;
            // a query that came during the stop has a boot waiting for this signal
            state = boot != null ? State.BOOTING : target;
        }
        if (target != State.RUNNING) {
            coordinator.released(id, false);
        }
        journal();
        done.tryEmitEmpty();
    }

    /** A state change the backend saw: a running service whose VM died is marked stopped. */
    void onEvent(VmEvent event) {
        State next;
        synchronized (this) {
            if (state == State.BOOTING && boot != null && boot.vmRunning
                    && (event.state() == VmState.STOPPED || event.state() == VmState.CRASHED)) {
                boot.vmDied.tryEmitValue(event.state() + " (" + event.detail() + ")");
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
            since = now();
        }
        log.info("service {}: VM {} reported {} ({}); now {}", id, event.vmId(), event.state(), event.detail(), next);
        journal();
    }

    /** At start-up: takes over a VM found running (with a full idle period) or paused. */
    void adopt(VmState vmState) {
        State next;
        synchronized (this) {
            if (state != State.STOPPED || boot != null) {
                return;
            }
            if (vmState == VmState.RUNNING) {
                next = State.RUNNING;
                idleFrom = now();
            } else if (vmState == VmState.PAUSED) {
                next = State.SUSPENDED;
            } else {
                return;
            }
            state = next;
            since = now();
        }
        log.info("service {}: VM {} found {} at start-up ({}); now {}", id, def.vm().id(), vmState,
                ranBefore ? "started by Jitsu before the restart" : "not started by this Jitsu's store", next);
        journal();
    }

    synchronized ServiceStatus status() {
        long last = lastQuery;
        return new ServiceStatus(id, state, Instant.ofEpochMilli(since),
                last == NEVER ? Optional.empty() : Optional.of(Instant.ofEpochMilli(last)), boots, failures,
                lastBootMillis < 0 ? Optional.empty() : Optional.of(lastBootMillis));
    }

    private long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    private static String describe(Throwable error) {
        if (error instanceof BackendException) {
            BackendException be = (BackendException) error;
            return be.getMessage() + " [" + be.code() + "]";
        }
        if (error instanceof TimeoutException) {
            return "timed out";
        }
        return error.toString();
    }

    /** One boot in flight, shared by all queries that wait for it. */
    private static final class Boot {
        final BootGate.Ticket ticket;
        final long startedAt;
        /** What every waiter gets: empty when the service is ready, else the failure to answer. */
        final Sinks.One<Optional<Answer.ServerFailure>> result = Sinks.one();
        int waiters; // guarded by the runtime's lock
        volatile boolean vmStarted;
        /** This instance claimed the boot (and releases the claim when it ends). */
        volatile boolean claimed;
        /** Another instance booted the service: nothing to start here. */
        volatile boolean elsewhere;
        /** The VM a dead owner left behind was adopted: no start here. */
        volatile boolean adopted;
        /** A boot without a query that only takes over a VM a dead owner left behind. */
        volatile boolean takeOver;
        /** Set once {@code Vm.start()} has completed: from then on, a VM that stops fails the boot. */
        volatile boolean vmRunning;
        final Sinks.One<String> vmDied = Sinks.one();
        /** When each waiting query arrived (timer ms), {@link #LEFT} once it stopped waiting; guarded by the runtime's lock. */
        private long[] arrivals = new long[4];
        private int arrived; // guarded by the runtime's lock

        static final long LEFT = Long.MIN_VALUE;

        Boot(BootGate.Ticket ticket, long startedAt) {
            this.ticket = ticket;
            this.startedAt = startedAt;
        }

        /** Notes a waiting query's arrival; its slot. */
        int arrive(long at) {
            if (arrived == arrivals.length) {
                arrivals = java.util.Arrays.copyOf(arrivals, arrived * 2);
            }
            arrivals[arrived] = at;
            return arrived++;
        }

        /** The query of {@code slot} stopped waiting (cancelled): its wait is not recorded. */
        void leave(int slot) {
            if (slot >= 0) {
                arrivals[slot] = LEFT;
            }
        }

        /** The arrivals so far. */
        long[] arrivals() {
            return java.util.Arrays.copyOf(arrivals, arrived);
        }
    }
}
