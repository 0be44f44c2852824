package org.jitsu.server.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jitsu.server.core.ServiceStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The replicas of one service: each replica is a service of the core of its own ({@code www.r1},
 * {@code www.r2} …: its own VM, address, state machine, journal record and claim), and this set is
 * what clients ask. {@link #pickRoundRobin} and {@link #pickFor} choose a running replica for a request (a booting one is
 * never handed to a client), counting the request on it; a cold set boots its first replica and waits
 * for that one only. Replicas that get no requests stop when idle like any service; the first
 * {@code min} are kept alive by every request of the set. Every {@code interval} the set compares its request rate
 * with its {@link ReplicaPolicy} and boots or stops one replica (operator start and stop: they do not
 * count as traffic). Thread-safe; picking a replica allocates nothing.
 */
public final class ReplicaSet {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);
    private static final int CALM_TICKS = 3;

    private final String id;
    private final List<ServiceRuntime> replicas;
    private final ReplicaPolicy policy;
    private final Scheduler timer;
    private final Duration interval;
    private final LongAdder requests = new LongAdder();
    private volatile Disposable ticks;
    private long lastTick = Long.MIN_VALUE; // guarded by this
    private int calm; // guarded by this

    /**
     * @param replicas the replicas' services, replica 1 first (as many as {@code policy.max()})
     * @throws IllegalArgumentException when their number is not {@code policy.max()}
     */
    public ReplicaSet(String id, List<ManagedService> replicas, ReplicaPolicy policy, Scheduler timer,
                      Duration interval) {
        if (replicas.size() != policy.max()) {
            throw new IllegalArgumentException("service " + id + ": " + replicas.size() + " replicas, expected "
                    + policy.max());
        }
        this.id = id;
        List<ServiceRuntime> runtimes = new ArrayList<>();
        for (ManagedService r : replicas) {
            if (!(r instanceof ServiceRuntime runtime)) {
                throw new IllegalArgumentException("service " + id + ": replica " + r.id() + " is not the core's");
            }
            runtimes.add(runtime);
        }
        this.replicas = List.copyOf(runtimes);
        this.policy = policy;
        this.timer = timer;
        this.interval = interval;
    }

    public String id() {
        return id;
    }

    public ReplicaPolicy policy() {
        return policy;
    }

    /** Replica {@code k} (0-based). */
    public ManagedService replica(int k) {
        return replicas.get(k);
    }

    public int size() {
        return replicas.size();
    }

    /** True when replica {@code k} runs: the only ones a client may be given. */
    public boolean ready(int k) {
        return replicas.get(k).currentState() == State.RUNNING;
    }

    /**
     * The warm path, round robin: the {@code counter}-th running replica (modulo how many run), or -1 when
     * none runs (then {@link #ensureRunning()}). See {@link #take(int)} for what a pick counts. Allocates
     * nothing.
     */
    public int pickRoundRobin(int counter) {
        int running = 0;
        for (ServiceRuntime r : replicas) {
            if (r.currentState() == State.RUNNING) {
                running++;
            }
        }
        if (running > 0) {
            int target = Math.floorMod(counter, running);
            for (int k = 0; k < replicas.size(); k++) {
                if (replicas.get(k).currentState() == State.RUNNING && target-- == 0 && take(k)) {
                    return k;
                }
            }
        }
        return firstTaken();
    }

    /**
     * The warm path, by client: of the running replicas, the one with the highest hash of the client's
     * and the replica's number (rendezvous hashing), so that a client keeps its replica while it runs,
     * and only the clients of a replica that stops (or of a new one) move. -1 when none runs.
     */
    public int pickFor(int clientHash) {
        int best = -1;
        int bestScore = Integer.MIN_VALUE;
        for (int k = 0; k < replicas.size(); k++) {
            if (replicas.get(k).currentState() == State.RUNNING) {
                int score = mix(clientHash ^ (k + 1) * 0x9e3779b9);
                if (best < 0 || score > bestScore) {
                    best = k;
                    bestScore = score;
                }
            }
        }
        return best >= 0 && take(best) ? best : firstTaken();
    }

    /**
     * The warm path, nearest first: the first running replica of {@code preferred} (0-based, in order)
     * that takes the request; else, or when {@code preferred} is null, {@link #pickFor(int)}.
     */
    public int pickAmong(int[] preferred, int clientHash) {
        if (preferred != null) {
            for (int k : preferred) {
                if (replicas.get(k).currentState() == State.RUNNING && take(k)) {
                    return k;
                }
            }
        }
        return pickFor(clientHash);
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** Any running replica that takes the request, or -1 (the chosen one stopped meanwhile, or none runs). */
    private int firstTaken() {
        for (int k = 0; k < replicas.size(); k++) {
            if (replicas.get(k).currentState() == State.RUNNING && take(k)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Replica {@code k} takes a request: a warm hit that refreshes its idle clock, written before its state
     * is read again (so it is never one whose stop has begun); false when it no longer runs. The first
     * {@code min} replicas' idle clocks are refreshed too.
     */
    private boolean take(int k) {
        if (!replicas.get(k).warm()) {
            return false;
        }
        requests.increment();
        for (int m = 0; m < policy.min() && m < replicas.size(); m++) {
            if (m != k) {
                replicas.get(m).refreshIfRunning();
            }
        }
        return true;
    }

    /**
     * The cold path: boots the first replica (or joins its boot) and completes with its index once it
     * runs; errors as {@link ManagedService#ensureRunning()} does.
     */
    public Mono<Integer> ensureRunning() {
        requests.increment();
        return replicas.get(0).ensureRunning().thenReturn(0);
    }

    /** Starts the scaling ticks (once). */
    public synchronized void start() {
        if (ticks == null) {
            ticks = Flux.interval(interval, interval, timer).onBackpressureDrop().subscribe(t -> scale());
        }
    }

    /** Stops the scaling ticks. The replicas are left as they are. */
    public synchronized void close() {
        if (ticks != null) {
            ticks.dispose();
        }
    }

    /** One scaling decision: at most one replica booted or stopped. */
    synchronized void scale() {
        long now = timer.now(TimeUnit.MILLISECONDS);
        long count = requests.sumThenReset();
        long since = lastTick == Long.MIN_VALUE ? interval.toMillis() : Math.max(1, now - lastTick);
        lastTick = now;
        double rate = count * 1000.0 / since;
        int running = 0;
        int booting = 0;
        for (ServiceRuntime r : replicas) {
            State s = r.currentState();
            if (s == State.RUNNING) {
                running++;
            } else if (s == State.BOOTING) {
                booting++;
            }
        }
        if (running == 0 || booting > 0) {
            calm = 0;
            return; // stopped (the first query boots replica 1), or a change in flight
        }
        int wanted = (int) Math.ceil(rate / policy.targetPerReplica());
        wanted = Math.max(Math.max(policy.min(), 1), Math.min(policy.max(), wanted));
        if (wanted > running) {
            calm = 0;
            for (ServiceRuntime r : replicas) {
                if (r.currentState() == State.STOPPED) {
                    log.info("service {}: {} requests/s on {} replicas (target {}/replica): booting {}", id,
                            Math.round(rate), running, policy.targetPerReplica(), r.id());
                    r.start().subscribe(null, e -> log.warn("service {}: replica {} did not boot: {}", id, r.id(),
                            e.getMessage()));
                    return;
                }
            }
            return;
        }
        boolean fewerWouldDo = running > Math.max(policy.min(), 1)
                && rate < policy.targetPerReplica() * (running - 1) / 2;
        calm = fewerWouldDo ? calm + 1 : 0;
        if (calm >= CALM_TICKS) {
            calm = 0;
            List<ServiceRuntime> up = new ArrayList<>();
            for (ServiceRuntime r : replicas) {
                if (r.currentState() == State.RUNNING) {
                    up.add(r);
                }
            }
            ServiceRuntime last = up.get(up.size() - 1);
            log.info("service {}: {} requests/s on {} replicas (target {}/replica): stopping {}", id, Math.round(rate),
                    running, policy.targetPerReplica(), last.id());
            last.stop("scale-down").subscribe(null, e -> log.warn("service {}: replica {} did not stop: {}", id,
                    last.id(), e.getMessage()));
        }
    }
}
