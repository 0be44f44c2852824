package org.jitsu.server.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jitsu.backend.Backend;
import org.jitsu.backend.Vm;
import org.jitsu.server.core.ServiceStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The instances of one template: a concurrent map from the captured values to an {@link KnownInstance} (a
 * {@link ServiceRuntime} with its addresses), the budget's counters, and the forgetting of unused
 * instances. Lookups of known instances take no template lock; making a new one is serialized per
 * template, so that the caps, the rates and the pool are checked and taken together.
 *
 * <p>Over 400 lines because admission, the budget's checks, the counting under maxRunning and forgetting
 * all work on the one map under the one lock, where they can be read against each other; what needs
 * neither is in {@link InstanceMaker}, {@link ClientBudgets}, {@link Refusals} and {@link KnownInstance}.
 */
final class TemplateRuntime implements TemplateInstances {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);
    /** How many known instances are looked at to find one to forget early when the template is full. */
    private static final int EVICTION_SAMPLE = 32;
    /** Client prefixes whose rate is remembered (the oldest is dropped beyond). */
    private static final int MAX_PREFIXES = 10_000;

    private final ServiceTemplate template;
    private final Clock clock;
    private final CoreMetrics metrics;
    private final Function<ServiceContextParts, ServiceRuntime> runtimes;
    private final ServiceJournal coreJournal;
    private final InstanceMaker maker;
    private final BootCoordinator coordinator;
    private final Consumer<Backend> backendSeen;
    private final ConcurrentHashMap<String, KnownInstance> instances = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ServiceRuntime> byVm = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final List<Consumer<ManagedService>> forgottenListeners = new CopyOnWriteArrayList<>();
    // guarded by this
    private final TokenBucket rate;
    private final ClientBudgets perClient;
    private final Refusals refusals;
    /** Names whose budget {@link #admitKnown} took, by key, with when: the next admit makes them. */
    private final Map<String, Long> reserved = new HashMap<>(); // guarded by this
    /** Known instances that are stopped and hold no place, longest stopped first: what may be forgotten early. */
    private final LinkedHashSet<KnownInstance> stopped = new LinkedHashSet<>();

    /** The core's clock in milliseconds. */
    interface Clock {
        long now();
    }

    /** What the core needs to make an instance's runtime: its definition and its journal. */
    record ServiceContextParts(ServiceDefinition definition, ServiceJournal journal, CoreMetrics metrics) {
    }

    TemplateRuntime(ServiceTemplate template, Clock clock, CoreMetrics metrics, ServiceJournal journal,
                    BootCoordinator coordinator, Function<ServiceContextParts, ServiceRuntime> runtimes,
                    Consumer<Backend> backendSeen, Scheduler scaleTimer, Duration scaleInterval) {
        this.template = template;
        this.maker = new InstanceMaker(template, journal, runtimes, metrics, scaleTimer, scaleInterval);
        this.coreJournal = journal;
        this.coordinator = coordinator;
        this.clock = clock;
        this.metrics = metrics;
        this.runtimes = runtimes;
        this.backendSeen = backendSeen;
        InstanceBudget b = template.budget();
        this.rate = new TokenBucket(b.burst(), b.newPerSecond(), clock.now());
        this.perClient = new ClientBudgets(b, MAX_PREFIXES);
        this.refusals = new Refusals(template.id(), clock, metrics);
    }

    @Override
    public ServiceTemplate template() {
        return template;
    }

    String id() {
        return template.id();
    }

    @Override
    public Admission admit(List<String> values, InetAddress client) {
        String key = key(values);
        long now = clock.now();
        KnownInstance known = instances.get(key);
        if (known != null) {
            if (known.runtime.use(now)) {
                return place(known);
            }
            forget(known); // forgotten between the lookup and now: make a new one
        }
        synchronized (this) {
            known = instances.get(key);
            if (known != null && known.runtime.use(now)) {
                return place(known);
            }
            return create(key, values, client, now);
        }
    }

    @Override
    public Optional<Admission> admitKnown(List<String> values, InetAddress client) {
        String key = key(values);
        long now = clock.now();
        KnownInstance known = instances.get(key);
        if (known != null && known.runtime.use(now)) {
            return Optional.of(place(known));
        }
        synchronized (this) {
            known = instances.get(key);
            if (known != null && known.runtime.use(now)) {
                return Optional.of(place(known));
            }
            Admission refused = budget(key, client, now);
            if (refused != null) {
                return Optional.of(refused); // refused at once, on the caller's thread: a flood costs no hop
            }
            reserved.put(key, now); // the budget is taken: the admit that follows makes it without a check
            return Optional.empty();
        }
    }

    private String key(List<String> values) {
        if (values.size() != template.captures().size()) {
            throw new IllegalArgumentException("template " + id() + " captures " + template.captures() + ", got "
                    + values);
        }
        return values.size() == 1 ? values.get(0) : String.join(".", values);
    }

    /** A known instance: admitted when it runs or boots, or when there is a place under maxRunning. */
    private Admission place(KnownInstance i) {
        if (i.anyActive() || i.counted.get()) {
            return i.admitted;
        }
        if (!count(i, false)) {
            return refuse(Admission.Reason.TOO_MANY_RUNNING, "template " + id() + ": maxRunning "
                    + template.budget().maxRunning() + " instances run already; " + i.runtime.id() + " not booted");
        }
        return i.admitted;
    }

    /** Takes a place under maxRunning for the instance ({@code force}: even beyond it); true when it has one. */
    private boolean count(KnownInstance i, boolean force) {
        if (!i.counted.compareAndSet(false, true)) {
            return true;
        }
        int max = template.budget().maxRunning();
        for (;;) {
            int n = active.get();
            if (n >= max && !force) {
                i.counted.set(false);
                return false;
            }
            if (active.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void uncount(KnownInstance i) {
        if (i.counted.compareAndSet(true, false)) {
            active.decrementAndGet();
        }
    }

    // under this
    private Admission create(String key, List<String> values, InetAddress client, long now) {
        if (client == null) {
            InstanceBudget budget = template.budget();
            if (instances.size() >= budget.maxInstances() && !forgetOneEarly(now)) {
                return refuse(Admission.Reason.TOO_MANY_INSTANCES, "template " + id() + ": maxInstances "
                        + budget.maxInstances() + " known and none unused; " + key + " refused");
            }
            return make(key, values, now, false); // restored at start-up: it ran before, nothing new boots
        }
        if (reserved.remove(key) == null) {
            Admission refused = budget(key, client, now);
            if (refused != null) {
                return refused;
            }
        }
        return make(key, values, now, true);
    }

    /** The budget's checks for a new instance, its tokens taken when it passes: null, or the refusal. */
    // under this
    private Admission budget(String key, InetAddress client, long now) {
        InstanceBudget budget = template.budget();
        if (instances.size() >= budget.maxInstances() && !forgetOneEarly(now)) {
            return refuse(Admission.Reason.TOO_MANY_INSTANCES, "template " + id() + ": maxInstances "
                    + budget.maxInstances() + " known and none unused; " + key + " refused");
        }
        if (active.get() >= budget.maxRunning()) {
            return refuse(Admission.Reason.TOO_MANY_RUNNING, "template " + id() + ": maxRunning "
                    + budget.maxRunning() + " instances run already; " + key + " refused");
        }
        if (!perClient.tryTake(client, now)) {
            return refuse(Admission.Reason.CLIENT_RATE, "template " + id() + ": client prefix "
                    + ClientBudgets.describe(client, budget) + " made " + budget.perClientPerMinute()
                    + " new instances in the last minute; " + key + " refused");
        }
        if (!rate.tryTake(now)) {
            return refuse(Admission.Reason.RATE, "template " + id() + ": more than " + budget.newPerSecond()
                    + " new instances per second (burst " + budget.burst() + "); " + key + " refused");
        }
        return null;
    }

    /**
     * Makes the instance (budget checked, or restored); {@code place}: take a place under maxRunning. With
     * replicas, replica K ({@code ID.KEY.rK}) gets its own address (hashed from {@code KEY.rK}) and VM.
     */
    // under this
    private Admission make(String key, List<String> values, long now, boolean place) {
        KnownInstance[] self = new KnownInstance[1];
        InstanceMaker.Made made = maker.make(key, values, state -> {
            if (self[0] != null) {
                stateChanged(self[0], state);
            }
        });
        if (made.refused() != null) {
            return refuse(made.refused().reason(), made.refused().message());
        }
        KnownInstance instance = made.instance();
        self[0] = instance;
        instance.runtime.use(now);
        instances.put(key, instance);
        for (ServiceRuntime r : instance.replicas) {
            byVm.put(r.definition().vm().id(), r);
            backendSeen.accept(r.definition().vm().backend());
        }
        metrics.instanceCreated(id());
        log.debug("template {}: new instance {} on {}", id(), instance.runtime.id(), instance.addresses);
        if (place && !count(instance, false)) { // not under this lock after the check above, but never overshoot
            return refuse(Admission.Reason.TOO_MANY_RUNNING, "template " + id() + ": maxRunning reached");
        }
        return instance.admitted;
    }

    private void stateChanged(KnownInstance i, State state) {
        if (state == State.STOPPED || state == State.SUSPENDED) {
            if (i.anyActive()) {
                return; // another replica still boots or runs
            }
            uncount(i);
            if (state == State.STOPPED) {
                synchronized (this) {
                    stopped.remove(i);
                    if (instances.get(i.key) == i) {
                        stopped.add(i); // to the end: the longest stopped stay first
                    }
                }
            }
        } else if (state == State.BOOTING || state == State.RUNNING) {
            count(i, true); // booted without an admission (a touch, an adoption): counted all the same
            synchronized (this) {
                stopped.remove(i);
            }
        }
    }

    /** At the template's cap: forgets the instance stopped longest (of the first few); true if one was. */
    // under this
    private boolean forgetOneEarly(long now) {
        Iterator<KnownInstance> it = stopped.iterator();
        for (int n = 0; n < EVICTION_SAMPLE && it.hasNext(); n++) {
            KnownInstance i = it.next();
            if (instances.get(i.key) != i) {
                it.remove();
                continue;
            }
            if (!i.counted.get() && !i.anyActive() && i.runtime.retireIfForgettable(now, 0)) {
                it.remove();
                forget(i);
                return true;
            }
        }
        return false;
    }

    /**
     * One idle tick: idle checks of every instance; forgets those stopped and unused for forgetAfter;
     * gives back the place of an instance admitted but never booted (its boot was refused by the boot
     * queue, or nobody waited) once a boot timeout has passed.
     */
    void tick() {
        long after = template.forgetAfter().toMillis();
        long bootTimeout = template.bootTimeout().toMillis();
        for (KnownInstance i : instances.values()) {
            try {
                for (ServiceRuntime r : i.replicas) {
                    r.idleCheck();
                }
                if (i.set != null) {
                    i.set.scale();
                }
                long now = clock.now();
                if (i.counted.get() && i.runtime.currentState() == State.STOPPED && i.runtime.idle()
                        && now - i.runtime.lastActivity() > bootTimeout) {
                    stateChanged(i, State.STOPPED);
                }
                if (!i.counted.get() && !i.anyActive() && i.runtime.retireIfForgettable(now, after)) {
                    forget(i);
                }
            } catch (RuntimeException e) {
                log.error("instance {}: idle check failed", i.runtime.id(), e);
            }
        }
        synchronized (this) {
            long now = clock.now();
            perClient.dropFull(now);
            reserved.values().removeIf(at -> now - at > template.bootTimeout().toMillis()); // never made
        }
    }

    private void forget(KnownInstance i) {
        if (!instances.remove(i.key, i)) {
            return; // forgotten already
        }
        synchronized (this) {
            stopped.remove(i);
        }
        uncount(i);
        for (int k = 0; k < i.replicas.size(); k++) {
            ServiceRuntime r = i.replicas.get(k);
            byVm.remove(r.definition().vm().id(), r);
            template.addresses().release(i.addresses.get(k));
            Vm vm = r.definition().vm();
            try {
                vm.backend().release(vm);
            } catch (RuntimeException e) {
                log.warn("instance {}: backend {} failed to release VM {}: {}", r.id(), vm.backend().name(),
                        vm.id(), e.toString());
            }
            coreJournal.forgotten(r.id());
            coordinator.forgotten(r.id());
        }
        metrics.instanceForgotten(id());
        log.debug("template {}: forgot instance {}", id(), i.runtime.id());
        for (Consumer<ManagedService> l : forgottenListeners) {
            l.accept(i.runtime);
        }
    }

    /**
     * At start-up: the instances the journal says were running (or booting, or suspended) when the last
     * run ended are made again, to be adopted and stopped when idle; the records of stopped ones go.
     */
    List<ServiceRuntime> restore() {
        List<ServiceRuntime> out = new ArrayList<>();
        String prefix = id() + ".";
        for (ServiceStatus saved : coreJournal.savedUnder(prefix)) {
            Optional<ServiceTemplate.InstanceId> parsed = template.parse(saved.id());
            if (saved.state() == State.STOPPED || parsed.isEmpty()) {
                coreJournal.forgotten(saved.id());
                continue;
            }
            String key = parsed.get().key();
            List<String> values = parsed.get().values();
            Admission a;
            synchronized (this) {
                if (instances.containsKey(key)) {
                    continue; // another replica of it was restored already
                }
                a = create(key, values, null, clock.now());
            }
            if (a instanceof Admission.Admitted) {
                out.addAll(instances.get(key).replicas);
            } else {
                log.warn("template {}: instance {} that ran before the restart was not made again: {}", id(),
                        saved.id(), ((Admission.Refused) a).message());
            }
        }
        return out;
    }

    /** The runtime of the instance whose VM has this id on this backend, for backend events. */
    Optional<ServiceRuntime> byVm(Backend backend, String vmId) {
        ServiceRuntime r = byVm.get(vmId);
        return r != null && r.definition().vm().backend() == backend ? Optional.of(r) : Optional.empty();
    }

    private Admission refuse(Admission.Reason reason, String message) {
        return refusals.refuse(reason, message);
    }

    @Override
    public List<ManagedService> instances() {
        return List.<ManagedService>copyOf(runtimes());
    }

    List<ServiceRuntime> runtimes() {
        List<ServiceRuntime> out = new ArrayList<>(instances.size());
        for (KnownInstance i : instances.values()) {
            out.addAll(i.replicas);
        }
        return out;
    }

    /** The known instance with this key (its id without the template's), if any. */
    Optional<ServiceRuntime> instance(String serviceId) {
        return template.parse(serviceId).flatMap(p -> {
            KnownInstance i = instances.get(p.key());
            int k = Math.max(0, p.replica());
            return i == null || k >= i.replicas.size() ? Optional.empty() : Optional.of(i.replicas.get(k));
        });
    }

    @Override
    public int active() {
        return active.get();
    }

    @Override
    public void onForgotten(Consumer<ManagedService> listener) {
        forgottenListeners.add(listener);
    }


}
