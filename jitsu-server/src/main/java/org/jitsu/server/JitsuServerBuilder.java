package org.jitsu.server;

import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jitsu.backend.readiness.ReadinessChecks;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.server.admin.AdminServer;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.dns.DnsServer;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.NamedTemplate;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.metrics.JitsuMetrics;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.FrontProxy;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.store.StateStores;
import org.jitsu.server.store.StoreJournal;
import org.jitsu.settings.ConfigException;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Assembles a {@link JitsuServer}: backends, service definitions, pipeline, DNS front end, in that order. */
final class JitsuServerBuilder implements JitsuServer.Builder {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JitsuServerBuilder.class);
    private final JitsuConfig config;
    private Scheduler timer = Schedulers.parallel();
    private Supplier<Collection<? extends BackendFactory>> factories = JitsuServerBuilder::installedFactories;
    private ReadinessParser readiness = ReadinessChecks.standard()::parse;
    private Duration startTimeout = Duration.ofSeconds(30);

    JitsuServerBuilder(JitsuConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public JitsuServer.Builder timer(Scheduler timer) {
        this.timer = Objects.requireNonNull(timer, "timer");
        return this;
    }

    @Override
    public JitsuServer.Builder backendFactories(Collection<? extends BackendFactory> factories) {
        List<BackendFactory> copy = List.copyOf(factories);
        this.factories = () -> copy;
        return this;
    }

    @Override
    public JitsuServer.Builder readinessParser(ReadinessParser parser) {
        this.readiness = Objects.requireNonNull(parser, "parser");
        return this;
    }

    @Override
    public JitsuServer.Builder startTimeout(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("startTimeout: " + timeout + " (expected: > 0)");
        }
        this.startTimeout = timeout;
        return this;
    }

    @Override
    public void validate() {
        try (BackendSet backends = BackendSet.create(config, factories.get(), timer)) {
            ServiceAssembly.define(config, backends, readiness, timer);
            ServiceAssembly.defineReplicated(config, backends, readiness, timer);
            TemplateAssembly.define(config, backends, readiness, timer);
        }
    }

    @Override
    public JitsuServer start() {
        JitsuMetrics metrics = config.metricsEnabled() ? JitsuMetrics.prometheus(backendNames()) : JitsuMetrics.disabled();
        metrics.serviceBackends(ConfigDiff.backends(config));
        // reloads, scrapes and operator actions: never on the HTTP event loop
        Scheduler worker = Schedulers.newBoundedElastic(2, 64, "jitsu-admin-worker");
        ServerOperations operations = new ServerOperations(metrics);
        Optional<AdminServer> admin = Optional.empty();
        BackendSet backends = null;
        OnDemandPipeline pipeline = null;
        StateStore store = null;
        StartupPhases phases = new StartupPhases();
        CompletableFuture<Void> adoption = null;
        FrontProxy front = null;
        try {
            if (config.admin().enabled()) {
                // bound first: /health/ready answers 503 while the rest starts
                admin = Optional.of(await(AdminServer.bind(config.admin(), operations, worker),
                        "the admin endpoint to be bound", Optional.of(() -> "admin.address "
                                + Addresses.format(config.admin().address()))));
            }
            store = StateStores.open(config.store());
            StateStores.Loaded loaded = await(StateStores.load(store), "the state store (" + store.describe() + ")",
                    Optional.empty());
            await(store.start(), "the state store (" + store.describe() + ") to start", Optional.empty());
            phases.done("store");
            JitsuConfig effective = StateStores.withRegistered(config, loaded.services());
            metrics.serviceBackends(ConfigDiff.backends(effective));
            phases.done("registered services");
            backends = BackendSet.create(effective, factories.get(), timer);
            List<NamedService> services = ServiceAssembly.define(effective, backends, readiness, timer);
            List<NamedTemplate> templates = TemplateAssembly.define(effective, backends, readiness, timer);
            List<NamedReplicas> replicated = ServiceAssembly.defineReplicated(effective, backends, readiness, timer);
            phases.done("services defined");
            await(backends.ready(), "the backends to be ready", Optional.empty());
            phases.done("backends ready");
            ConnectionBook book = new ConnectionBook(effective.holds(), effective.proxy(), timer);
            pipeline = OnDemandPipeline.builder()
                    .zones(effective.zones())
                    .services(services)
                    .templates(templates)
                    .replicated(replicated)
                    .bootLimits(effective.bootLimits())
                    .idleCheckInterval(effective.idleCheckInterval())
                    .timer(timer)
                    .metrics(metrics)
                    .journal(StoreJournal.create(store, loaded.records()))
                    .coordinator(store.coordinator())
                    .traffic(book)
                    .build();
            OnDemandPipeline built = pipeline;
            metrics.bindServices(() -> built.core().statuses());
            phases.done("zone index");
            // the front before the DNS listeners: an at-once answer never points at an address not yet bound
            front = await(FrontProxy.bind(effective.proxy(), book, built.core()::service, metrics.proxy(book)),
                    "the front's listeners to be bound", Optional.of(() -> frontDescription(effective)));
            if (!book.ledgers().isEmpty()) {
                phases.done("front");
            }
            DnsServer dns = await(DnsServer.builder()
                    .listen(effective.listen())
                    .forward(effective.forward())
                    .rateLimit(effective.rateLimit())
                    .cookies(effective.cookies().secret())
                    .pipeline(pipeline)
                    .metrics(metrics)
                    .clock(timer)
                    .bind(), "the DNS listeners to be bound", Optional.of(this::listenDescription));
            phases.done("listeners");
            // Then the pipeline subscribes to backend events and checks each VM's state (the adoption
            // check) on the backends' bounded schedulers, while the listeners answer: see awaitAdoption.
            long adoptionStart = System.nanoTime();
            int count = effective.services().size();
            adoption = pipeline.start()
                    .doOnSuccess(v -> log.info("adoption check of {} services done in {} ms", count,
                            (System.nanoTime() - adoptionStart) / 1_000_000))
                    .toFuture();
            awaitAdoption(adoption);
            phases.done("adoption (after the listeners)");
            phases.log(count);
            RunningJitsuServer server = new RunningJitsuServer(new RunningJitsuServer.Parts(effective, pipeline, backends,
                    metrics, readiness, timer, worker, store, loaded.services(), front), dns, admin);
            operations.attach(server);
            server.registrations().follow();
            return server;
        } catch (RuntimeException e) {
            if (adoption != null) {
                adoption.cancel(true); // cancels the check of the VMs not looked at yet
            }
            if (front != null) {
                front.close();
            }
            if (pipeline != null) {
                pipeline.close();
            }
            if (backends != null) {
                backends.close();
            }
            if (store != null) {
                store.close();
            }
            admin.ifPresent(AdminServer::close);
            worker.dispose();
            metrics.close();
            throw e;
        }
    }

    /**
     * Waits for the adoption check up to the start timeout, so that a server with a few services starts
     * with every running VM adopted. With many services (or a slow backend) it goes on in the
     * background instead: the listeners already answer, and a query for a service whose VM has not
     * been looked at yet is still answered correctly, since the boot it starts calls
     * {@link org.jitsu.backend.Vm#start()}, which leaves a running VM running (resumes a paused one),
     * and then waits for the same readiness checks as any boot.
     */
    private void awaitAdoption(CompletableFuture<Void> adoption) {
        try {
            adoption.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info("the adoption check goes on in the background after {} s (queries are answered meanwhile)",
                    startTimeout.toSeconds());
        } catch (ExecutionException e) {
            Throwable cause = Exceptions.unwrap(e.getCause());
            throw new JitsuStartException("failed waiting for the pipeline to start: " + rootMessage(cause), cause,
                    false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JitsuStartException("interrupted while waiting for the pipeline to start", e, false);
        }
    }

    private List<String> backendNames() {
        List<String> names = new ArrayList<>();
        config.backends().forEach(b -> names.add(b.name()));
        return names;
    }

    /** Blocks on a start step; errors become a {@link JitsuStartException} (config errors pass unchanged). */
    private <T> T await(Mono<T> step, String what, Optional<Supplier<String>> binding) {
        Throwable failure;
        try {
            T value = step.block(startTimeout);
            if (value != null || binding.isEmpty()) {
                return value;
            }
            failure = new IllegalStateException("completed without a value");
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Timeout on blocking read")) {
                throw new JitsuStartException("timed out after " + startTimeout.toSeconds() + " s waiting for " + what,
                        e, false);
            }
            failure = e;
        } catch (RuntimeException e) {
            failure = Exceptions.unwrap(e);
        }
        if (failure instanceof ConfigException) {
            throw (ConfigException) failure;
        }
        boolean bind = binding.isPresent() && isBindFailure(failure);
        String reason = rootMessage(failure);
        String message = bind
                ? "cannot listen on " + binding.get().get() + ": " + reason
                : "failed waiting for " + what + ": " + reason;
        throw new JitsuStartException(message, failure, bind);
    }

    /** The front addresses and ports of every hold, for a bind error. */
    private static String frontDescription(JitsuConfig config) {
        List<String> out = new ArrayList<>();
        config.holds().forEach((id, hold) -> hold.front().forEach(a -> hold.ports().forEach(p ->
                out.add(Addresses.format(new java.net.InetSocketAddress(a, p.port())) + " (hold of " + id + ")"))));
        return String.join(", ", out);
    }

    private String listenDescription() {
        List<String> addresses = new ArrayList<>();
        config.listen().addresses().forEach(a -> addresses.add(Addresses.format(a)));
        return String.join(", ", addresses) + " port " + config.listen().port();
    }

    static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (c instanceof BindException || m.contains("address already in use") || m.contains("bind(")
                    || m.contains("cannot assign requested address")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private static Collection<BackendFactory> installedFactories() {
        List<BackendFactory> out = new ArrayList<>();
        ServiceLoader.load(BackendFactory.class).forEach(out::add);
        return out;
    }
}
