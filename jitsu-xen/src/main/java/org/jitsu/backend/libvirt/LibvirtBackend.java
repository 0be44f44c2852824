package org.jitsu.backend.libvirt;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** A {@link Backend} whose VMs are libvirt domains on one connection. Created by {@link LibvirtBackendFactory}. */
final class LibvirtBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtBackend.class);
    private static final int QUEUED_CALLS = 100_000;

    private final String name;
    private final LibvirtSettings settings;
    private final BackendContext context;
    private final Scheduler libvirt;
    private final LibvirtConnection connection;
    private final Sinks.Many<VmEvent> events = Sinks.many().multicast().directBestEffort();
    /** By VM id; a map, not a copy-on-write list: defining 100,000 services was quadratic. */
    private final Map<String, LibvirtVm> vms = new ConcurrentHashMap<>();
    private final Map<String, String> serviceByVmId = new ConcurrentHashMap<>();
    /** Domain XML templates, read and examined once per file (100,000 services may share one). */
    private final CompiledTemplate.Cache templates = new CompiledTemplate.Cache();

    LibvirtBackend(String name, LibvirtSettings settings, BackendContext context) {
        this.name = name;
        this.settings = settings;
        this.context = context;
        this.libvirt = Schedulers.newBoundedElastic(settings.threads(), QUEUED_CALLS, "jitsu-libvirt-" + name, 60, true);
        this.connection = new LibvirtConnection(name, settings, libvirt, context.timer(), this::onLifecycle, this::resync);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return LibvirtBackendFactory.TYPE;
    }

    /** libvirt supports every mode, managed save included. */
    @Override
    public Set<StopMode> stopModes() {
        return EnumSet.allOf(StopMode.class);
    }

    @Override
    public LibvirtVm define(String serviceId, Settings spec) {
        DomainSpec domain = DomainSpec.parse(serviceId, spec, templates);
        String other = serviceByVmId.putIfAbsent(domain.id(), serviceId);
        if (other != null && !other.equals(serviceId)) {
            String key = spec.has("domain") ? "domain" : "template";
            throw new ConfigException(spec.keyPath(key), domain.id(),
                    "a domain no other service of backend " + name + " uses (service " + other + " uses it)");
        }
        LibvirtVm vm = new LibvirtVm(this, domain, GuestConfig.parse(spec), context.timer());
        vms.put(vm.id(), vm);
        return vm;
    }

    @Override
    public void release(Vm vm) {
        if (vm instanceof LibvirtVm v && vms.remove(v.id(), v)) {
            serviceByVmId.remove(v.id());
        }
    }

    @Override
    public Flux<VmEvent> events() {
        return events.asFlux();
    }

    @Override
    public Mono<Void> ready() {
        return connection.call(name, "connect", c -> null).then();
    }

    @Override
    public void close() {
        connection.close();
        synchronized (events) {
            events.tryEmitComplete();
        }
        libvirt.disposeGracefully().subscribe(null, e -> LOG.debug("backend {}: scheduler shutdown: {}", name, e.toString()));
    }

    LibvirtConnection connection() {
        return connection;
    }

    LibvirtSettings settings() {
        return settings;
    }

    /** Emits an event; serialized, since the sink must not be called concurrently. */
    private void emit(VmEvent event) {
        Sinks.EmitResult r;
        synchronized (events) {
            r = events.tryEmitNext(event);
        }
        if (r.isFailure() && r != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER && r != Sinks.EmitResult.FAIL_TERMINATED) {
            LOG.debug("backend {}: event {} not delivered: {}", name, event, r);
        }
    }

    /**
     * After a re-open, events missed while the connection was down are lost: report every VM's
     * current state once, so that a domain that stopped meanwhile is known to be down.
     */
    private void resync() {
        for (LibvirtVm vm : vms.values()) {
            vm.state().subscribe(
                    s -> emit(new VmEvent(vm.id(), s, "connection re-opened")),
                    e -> LOG.debug("backend {}: state of {} after re-open: {}", name, vm.id(), e.toString()));
        }
    }

    /** libvirt's lifecycle callback: on the event loop thread, so it only reads the domain's name and UUID. */
    private int onLifecycle(Domain domain, DomainEvent event) {
        try {
            Optional<VmState> state = DomainStates.ofEvent(event);
            if (state.isEmpty()) {
                return 0;
            }
            String domainName = domain.getName();
            String uuid = domain.getUUIDString();
            String detail = DomainStates.describe(event);
            for (LibvirtVm vm : vms.values()) {
                if (vm.spec().matches(domainName, uuid)) {
                    emit(new VmEvent(vm.id(), state.get(), detail));
                }
            }
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("backend {}: lifecycle event {} dropped: {}", name, event, e.toString());
        } finally {
            try {
                domain.free();
            } catch (LibvirtException e) {
                LOG.debug("backend {}: freeing an event's domain failed: {}", name, e.toString());
            }
        }
        return 0;
    }
}
