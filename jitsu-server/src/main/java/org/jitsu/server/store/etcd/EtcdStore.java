package org.jitsu.server.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.store.ServiceRecord;
import org.jitsu.server.store.StateStore;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The {@link StateStore} on etcd (jetcd). Keys, under the configured prefix ({@link EtcdKeys}):
 * {@code services/<id>} (a registered service's spec) and {@code state/<instance>/<id>} (this
 * instance's {@link ServiceRecord#encode() record} of the service), and {@code lastquery/<id>/<instance>}
 * (the shared idle clock, written here and read by {@link LastQueries}). Every call goes through
 * {@link EtcdCalls} (never waited on, bounded, on the store's own scheduler) and, when it fails, is
 * explained in one line by {@link EtcdProblems}.
 */
final class EtcdStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

    private final StoreSettings.Etcd settings;
    private final Client client;
    private final Scheduler io;
    private final EtcdCalls calls;
    private final EtcdKeys keys;
    private final ResumingWatch serviceWatch;
    private final EtcdCoordinator coordinator;
    /** Last query time written per service (coalesced: only a newer one is written). */
    private final Map<String, Long> lastQueryWritten = new ConcurrentHashMap<>();

    EtcdStore(StoreSettings.Etcd settings) {
        this.settings = settings;
        this.keys = new EtcdKeys(settings.prefix());
        this.client = client(settings);
        this.io = Schedulers.newBoundedElastic(4, 10_000, "jitsu-store-etcd", 60, true);
        this.calls = new EtcdCalls(io);
        this.serviceWatch = new ResumingWatch(client, keys.services(), io);
        this.coordinator = new EtcdCoordinator(client, calls, keys, settings);
    }

    @Override
    public BootCoordinator coordinator() {
        return coordinator;
    }

    @Override
    public Mono<Void> start() {
        return coordinator.start().doOnSuccess(v -> flusher = Flux.interval(RESAVE, io).subscribe(t -> resave()));
    }

    /** How often records whose write failed (etcd unreachable) are written again. */
    static final Duration RESAVE = Duration.ofSeconds(1);
    /** The latest record per service whose write failed; written again until it succeeds or a newer one is. */
    private final Map<String, Unsaved> unsaved = new ConcurrentHashMap<>();

    /** A record whose write failed, and the number of that write. */
    private record Unsaved(long write, ServiceRecord record) {
    }
    private volatile Disposable flusher = () -> { };
    private final AtomicLong writes = new AtomicLong();
    /** Per service, the number of the latest record write asked for. */
    private final Map<String, Long> latestAsked = new ConcurrentHashMap<>();

    private void resave() {
        for (Unsaved u : unsaved.values()) {
            ServiceRecord r = u.record();
            if (latestAsked.get(r.id()) != u.write()) {
                unsaved.remove(r.id(), u); // a newer record was asked for since: it is written or kept instead
                continue;
            }
            putState(r).subscribe(v -> { }, e -> { }, () -> {
                if (unsaved.remove(r.id(), u)) {
                    log.info("store: service {}: state {} saved now that etcd answers again", r.id(), r.state());
                }
            });
        }
    }

    private Mono<Void> putState(ServiceRecord record) {
        return call(() -> client.getKVClient().put(keys.state(settings.instanceId(), record.id()),
                bytes(record.encode()))).then();
    }

    private static Client client(StoreSettings.Etcd s) {
        List<URI> endpoints = new ArrayList<>();
        String scheme = s.tls() || s.cert().isPresent() ? "https" : "http";
        for (InetSocketAddress a : s.endpoints()) {
            String host = a.getAddress().getHostAddress();
            endpoints.add(URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort()));
        }
        ClientBuilder b = Client.builder().endpoints(endpoints)
                .connectTimeout(Duration.ofSeconds(2))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                .retryMaxDuration(Duration.ofSeconds(3))
                // fail (after jetcd's retries) instead of waiting for a connection without end: a call that
                // timed out here must not be sent later (a stale record or claim written after a newer one),
                // and the failure then carries gRPC's reason (refused, TLS handshake)
                .waitForReady(false);
        s.user().ifPresent(u -> b.user(bytes(u)));
        s.password().ifPresent(p -> b.password(bytes(p)));
        if (s.tls() || s.cert().isPresent()) {
            try {
                b.sslContext(ssl -> {
                    s.ca().ifPresent(ca -> ssl.trustManager(ca.toFile()));
                    if (s.cert().isPresent() && s.key().isPresent()) {
                        ssl.keyManager(s.cert().get().toFile(), s.key().get().toFile());
                    }
                });
            } catch (SSLException | RuntimeException e) {
                throw new ConfigException("store.etcd.ca", s.ca().map(Object::toString).orElse(""),
                        "readable PEM files for ca, cert and key (" + e.getMessage() + ")");
            }
        }
        return b.build();
    }

    private static ByteSequence bytes(String s) {
        return EtcdKeys.bytes(s);
    }

    private static String text(ByteSequence b) {
        return EtcdKeys.text(b);
    }

    /** A jetcd call ({@link EtcdCalls#call}) whose failure is explained. */
    private <T> Mono<T> call(Supplier<CompletableFuture<T>> f) {
        return calls.call(f)
                .doOnNext(v -> answers())
                .onErrorResume(e -> explain(e).flatMap(Mono::error));
    }

    /**
     * The failure as one line naming the problem and the config key ({@link EtcdProblems}); logged once
     * per problem (again only after etcd answered in between or the problem changed).
     */
    private Mono<Throwable> explain(Throwable error) {
        if (error instanceof EtcdProblems.EtcdProblem) {
            return Mono.just(error);
        }
        Optional<String> said = EtcdProblems.answered(error, settings);
        Mono<Optional<String>> why = said.isPresent() || !EtcdProblems.silent(error)
                ? Mono.just(said)
                : Mono.fromCallable(() -> EtcdProblems.probe(settings)).subscribeOn(io);
        return why.map(found -> {
            String message = found.orElseGet(() -> "etcd " + EtcdProblems.endpoints(settings) + " did not answer: "
                    + (error instanceof TimeoutException
                    ? "no answer within " + EtcdCalls.TIMEOUT.toSeconds() + " s" : error.toString()));
            if (!message.equals(problem) && !closed) {
                problem = message;
                log.warn("store: {}", message);
            }
            return new EtcdProblems.EtcdProblem(message, error);
        });
    }

    private void answers() {
        if (problem != null) {
            problem = null;
            log.info("store: etcd {} answers again", EtcdProblems.endpoints(settings));
        }
    }

    /** The last problem logged, until etcd answers again. */
    private volatile String problem;
    private volatile boolean closed;

    @Override
    public String instanceId() {
        return settings.instanceId();
    }

    @Override
    public String describe() {
        return "etcd " + settings.endpoints() + " prefix " + keys.prefix();
    }

    @Override
    public Mono<Map<String, String>> services() {
        return call(() -> client.getKVClient().get(keys.services(), GetOption.builder().isPrefix(true).build()))
                .map(r -> {
                    serviceWatch.seen(r);
                    List<KeyValue> kvs = new ArrayList<>(r.getKvs());
                    kvs.sort(Comparator.comparingLong(KeyValue::getCreateRevision)); // registration order
                    Map<String, String> out = new LinkedHashMap<>();
                    for (KeyValue kv : kvs) {
                        out.put(keys.serviceId(kv.getKey()), text(kv.getValue()));
                    }
                    return Collections.unmodifiableMap(out);
                });
    }

    @Override
    public Mono<Void> putService(String id, String spec) {
        return call(() -> client.getKVClient().put(keys.service(id), bytes(spec))).then();
    }

    @Override
    public Mono<Boolean> removeService(String id) {
        return call(() -> client.getKVClient().delete(keys.service(id))).map(r -> r.getDeleted() > 0);
    }

    @Override
    public Mono<Map<String, ServiceRecord>> records() {
        String mine = keys.states(settings.instanceId());
        return call(() -> client.getKVClient().get(bytes(mine), GetOption.builder().isPrefix(true).build()))
                .map(r -> {
                    Map<String, ServiceRecord> out = new LinkedHashMap<>();
                    for (KeyValue kv : r.getKvs()) {
                        String id = text(kv.getKey()).substring(mine.length());
                        try {
                            out.put(id, ServiceRecord.decode(id, text(kv.getValue())));
                        } catch (IllegalArgumentException e) {
                            log.warn("store: ignoring {}: {}", text(kv.getKey()), e.getMessage());
                        }
                    }
                    return Map.copyOf(out);
                });
    }

    @Override
    public Mono<Void> putRecord(ServiceRecord record) {
        long n = writes.incrementAndGet();
        latestAsked.put(record.id(), n);
        unsaved.remove(record.id()); // superseded
        Mono<Void> state = putState(record)
                .doOnError(e -> {
                    if (latestAsked.get(record.id()) == n) { // no newer record of the service was asked for
                        unsaved.put(record.id(), new Unsaved(n, record));
                    }
                });
        long q = record.lastQuery();
        Long before = lastQueryWritten.get(record.id());
        if (q < 0 || (before != null && before >= q)) {
            return state;
        }
        lastQueryWritten.put(record.id(), q);
        // the shared idle clock: the others' idle checks read it from their watch
        return state.then(call(() -> client.getKVClient().put(keys.lastQuery(record.id(), settings.instanceId()),
                bytes(Long.toString(q)))).then());
    }

    @Override
    public Mono<Void> deleteRecord(String id) {
        latestAsked.put(id, writes.incrementAndGet()); // an unsaved record of it is not retried
        unsaved.remove(id);
        lastQueryWritten.remove(id);
        return call(() -> client.getKVClient().delete(keys.state(settings.instanceId(), id)))
                .then(call(() -> client.getKVClient().delete(keys.lastQuery(id, settings.instanceId()))))
                .doFinally(s -> latestAsked.remove(id))
                .then();
    }

    @Override
    public Flux<Map.Entry<String, Optional<String>>> serviceChanges() {
        return serviceWatch.events().map(e -> {
            String id = keys.serviceId(e.getKeyValue().getKey());
            Optional<String> spec = e.getEventType() == WatchEvent.EventType.PUT
                    ? Optional.of(text(e.getKeyValue().getValue())) : Optional.empty();
            return new AbstractMap.SimpleImmutableEntry<>(id, spec);
        });
    }

    /** The revision up to which service changes have been seen (for tests and logs). */
    long servicesRevision() {
        return serviceWatch.revision();
    }

    @Override
    public void close() {
        closed = true;
        flusher.dispose();
        coordinator.close();
        serviceWatch.close();
        client.close();
        io.dispose();
    }
}
