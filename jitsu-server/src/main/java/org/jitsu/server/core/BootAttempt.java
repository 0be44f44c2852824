package org.jitsu.server.core;

import java.util.Arrays;
import java.util.Optional;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One boot of one service, shared by every caller that waits for it: through the boot gate, the claim
 * (the other instances), the VM's start or the adoption of a VM a dead owner left behind, and the
 * readiness checks, all under the boot timeout. {@link #run} emits one {@link BootOutcome} and never
 * errors; the runtime turns it into a state, then answers the waiters through {@link #answer}.
 *
 * <p>How far it got is one monotonic {@link Phase}: what a failure must clean up follows from it (a
 * VM that was touched is destroyed; a claim that was won is released).
 */
final class BootAttempt {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    /** How far the attempt got; only ever moves forward. */
    enum Phase {
        /** Waiting for the boot gate, or for the claim. */
        QUEUED,
        /** This instance won the claim: it is to boot (and release the claim when done). */
        CLAIMED,
        /** The VM was touched (started, or found and adopted): a failure from here destroys it. */
        VM_STARTING,
        /** {@code Vm.start()} completed (or the VM ran already): from here, a VM that stops fails the attempt. */
        VM_RUNNING
    }

    /** Marks an arrival whose caller stopped waiting (cancelled): its wait is not recorded. */
    static final long LEFT = Long.MIN_VALUE;
    /** Marks a step of the cold start the attempt did not get to. */
    static final long NOT_REACHED = Long.MIN_VALUE;

    /**
     * When the steps of this instance's VM start happened (timer ms, or {@link #NOT_REACHED}): its
     * backend start call began, the VM reported started, the readiness checks passed. Together with
     * {@link #startedAt()} the boundaries of the {@link ColdStartPhase}s.
     */
    record Steps(long vmStart, long vmStarted, long ready) {
    }

    private final ServiceContext ctx;
    private final BootGate.Ticket ticket;
    private final long startedAt;
    /** True for a boot without a caller that only adopts a VM a dead owner left behind. */
    private final boolean takeOver;
    /** What every waiter gets: empty when the service is ready, else why it is not. */
    private final Sinks.One<Optional<ServiceUnavailableException>> result = Sinks.one();
    private final Sinks.One<String> vmDied = Sinks.one();
    private volatile Phase phase = Phase.QUEUED;
    private volatile long vmStartAt = NOT_REACHED;
    private volatile long vmStartedAt = NOT_REACHED;
    private volatile long readyAt = NOT_REACHED;

    // guarded by this
    private int waiters;
    private long[] arrivals = new long[4];
    private int arrived;

    BootAttempt(ServiceContext ctx, BootGate.Ticket ticket, long startedAt, boolean takeOver) {
        this.ctx = ctx;
        this.ticket = ticket;
        this.startedAt = startedAt;
        this.takeOver = takeOver;
    }

    long startedAt() {
        return startedAt;
    }

    Phase phase() {
        return phase;
    }

    /** How far this instance's VM start got, and when (read once the attempt is over). */
    Steps steps() {
        return new Steps(vmStartAt, vmStartedAt, readyAt);
    }

    /** The VM was touched: a failure must destroy it. */
    boolean vmTouched() {
        return phase.compareTo(Phase.VM_STARTING) >= 0;
    }

    /**
     * One more caller waits, arriving at {@code at} (timer ms; {@code counted} false: not a request whose
     * wait is recorded). Returns its slot, or -1 when it is not counted; empty when {@code maxWaiters}
     * wait already.
     */
    synchronized Optional<Integer> join(long at, boolean counted, int maxWaiters) {
        if (waiters >= maxWaiters) {
            return Optional.empty();
        }
        waiters++;
        if (!counted) {
            return Optional.of(-1);
        }
        if (arrived == arrivals.length) {
            arrivals = Arrays.copyOf(arrivals, arrived * 2);
        }
        arrivals[arrived] = at;
        return Optional.of(arrived++);
    }

    /** The caller of {@code slot} stopped waiting (cancelled). */
    synchronized void leave(int slot) {
        waiters--;
        if (slot >= 0) {
            arrivals[slot] = LEFT;
        }
    }

    /** When each counted waiter arrived ({@link #LEFT} for those that left). */
    synchronized long[] arrivals() {
        return Arrays.copyOf(arrivals, arrived);
    }

    private synchronized boolean nobodyWaits() {
        return waiters == 0;
    }

    /** What a waiter gets once the attempt is over. */
    Mono<Optional<ServiceUnavailableException>> answer() {
        return result.asMono();
    }

    /** Tells every waiter the outcome: empty when ready. */
    void answer(Optional<ServiceUnavailableException> unavailable) {
        result.tryEmitValue(unavailable);
    }

    /**
     * A state change of the VM while the attempt runs: a VM that stopped after its start fails the
     * attempt at once instead of at the boot timeout. True when it was taken.
     */
    boolean vmEvent(VmState state, String detail) {
        if (phase == Phase.VM_RUNNING && (state == VmState.STOPPED || state == VmState.CRASHED)) {
            vmDied.tryEmitValue(state + " (" + detail + ")");
            return true;
        }
        return false;
    }

    /**
     * The attempt: after {@code before} (a stop in flight), through the gate and the claim, the start or
     * adoption, then the readiness checks, bounded by the boot timeout. Gives the gate's slot back when
     * done, after the outcome was delivered.
     */
    Mono<BootOutcome> run(Mono<Void> before) {
        Mono<BootOutcome> work = before
                .then(ticket.whenGranted())
                .then(Mono.defer(() -> ctx.coordinator().claim(ctx.id())))
                .flatMap(claim -> {
                    if (!claim.own()) {
                        return Mono.just(BootOutcome.RUNNING_ELSEWHERE);
                    }
                    phase = Phase.CLAIMED;
                    Mono<BootOutcome> vm = claim.leftBehind().map(this::adoptOrStart)
                            .orElseGet(this::startUnlessOnlyTakingOver);
                    return vm.flatMap(o -> o == BootOutcome.NOTHING_TO_TAKE_OVER ? Mono.just(o)
                            : readyOrDied().doOnSuccess(ignored -> readyAt = ctx.now()).thenReturn(o));
                });
        return work.timeout(ctx.def().bootTimeout(), ctx.timer())
                .onErrorResume(e -> Mono.just(BootOutcome.failed(e)))
                .doFinally(signal -> ctx.gate().leave(ticket));
    }

    /** True when this instance won the claim (and so must release it). */
    boolean claimed() {
        return phase != Phase.QUEUED;
    }

    /** The readiness checks in order; a VM that dies meanwhile fails at once. */
    private Mono<Void> readyOrDied() {
        ServiceDefinition def = ctx.def();
        Mono<Void> ready = Mono.empty();
        for (ReadinessCheck check : def.readiness()) {
            ready = ready.then(Mono.defer(() -> check.await(def.vm())));
        }
        Mono<Void> died = vmDied.asMono().flatMap(detail -> Mono.error(
                new BackendException(def.vm().id(), "exited", "stopped while waiting for readiness: " + detail)));
        return Mono.firstWithSignal(ready, died);
    }

    /** Starts this instance's VM. */
    private Mono<BootOutcome> startVm() {
        return Mono.defer(() -> {
                    phase = Phase.VM_STARTING;
                    vmStartAt = ctx.now();
                    ctx.metrics().bootStarted(ctx.id());
                    return ctx.def().vm().start();
                })
                .doOnSuccess(ignored -> {
                    vmStartedAt = ctx.now();
                    running();
                })
                .thenReturn(BootOutcome.BOOTED);
    }

    /**
     * Takes over the VM a dead owner left behind when it still runs (a paused one is resumed by the
     * start), else boots: in either case the readiness checks follow, so a boot the owner did not finish
     * is finished here, and a VM that does not get ready is destroyed like a failed boot.
     */
    private Mono<BootOutcome> adoptOrStart(BootCoordinator.LeftBehind left) {
        String id = ctx.id();
        return Mono.defer(() -> ctx.def().vm().attach(left.handle()))
                .onErrorResume(e -> {
                    log.warn("service {}: cannot look for the VM {} left behind: {}", id, left.instance(),
                            ServiceContext.describe(e));
                    return Mono.just(VmState.UNKNOWN);
                })
                .flatMap(vmState -> {
                    if (vmState != VmState.RUNNING && vmState != VmState.PAUSED && vmState != VmState.STARTING) {
                        log.info("service {}: the VM {} left behind ({}) is {}", id, left.instance(), left.handle(),
                                vmState);
                        return startUnlessOnlyTakingOver();
                    }
                    log.info("service {}: adopting the VM {} left {} ({})", id, left.instance(), vmState, left.handle());
                    phase = Phase.VM_STARTING; // from here on a failure destroys it: not leaked
                    Mono<Void> resume = vmState == VmState.RUNNING ? Mono.empty()
                            : Mono.defer(() -> ctx.def().vm().start());
                    return resume.doOnSuccess(ignored -> running()).thenReturn(BootOutcome.ADOPTED);
                });
    }

    /** Boots, unless this attempt only takes a VM over and nobody waits: no VM is started without a caller. */
    private Mono<BootOutcome> startUnlessOnlyTakingOver() {
        if (takeOver && nobodyWaits()) {
            return Mono.just(BootOutcome.NOTHING_TO_TAKE_OVER);
        }
        return startVm();
    }

    /** The VM runs: from now on its death fails the attempt; its handle is told to the other instances. */
    private void running() {
        phase = Phase.VM_RUNNING;
        String id = ctx.id();
        Mono.defer(() -> ctx.def().vm().handle())
                .subscribe(h -> h.ifPresent(handle -> ctx.coordinator().runs(id, handle)),
                        e -> log.warn("service {}: cannot tell the other instances which VM runs: {}", id,
                                ServiceContext.describe(e)));
    }
}
