package org.jitsu.server.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/** The {@link AdminServer} on Reactor Netty's {@link HttpServer}, with one event loop of its own. */
final class ReactorAdminServer implements AdminServer {
    private static final Logger log = LoggerFactory.getLogger(ReactorAdminServer.class);
    private static final Pattern SERVICE_ACTION = Pattern.compile("/api/services/([a-z0-9][a-z0-9-]{0,62})/(start|stop)");
    private static final Pattern SERVICE = Pattern.compile("/api/services/([a-z0-9][a-z0-9-]{0,62})");
    private static final String JSON = "application/json";
    /** Largest service spec accepted by {@code POST /api/services/ID}. */
    static final int MAX_SPEC_BYTES = 64 * 1024;
    /** Prometheus text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final DisposableServer server;
    private final LoopResources loops;

    private ReactorAdminServer(DisposableServer server, LoopResources loops) {
        this.server = server;
        this.loops = loops;
    }

    static Mono<AdminServer> bind(AdminSettings settings, AdminOperations operations, Scheduler worker) {
        return Mono.defer(() -> {
            LoopResources loops = LoopResources.create("jitsu-admin", 1, true);
            Handler handler = new Handler(operations, worker, settings.token()
                    .map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)));
            return HttpServer.create()
                    .runOn(loops)
                    .bindAddress(settings::address)
                    .handle(handler::handle)
                    .bind()
                    .<AdminServer>map(s -> new ReactorAdminServer(s, loops))
                    .onErrorResume(e -> loops.disposeLater().then(Mono.error(e)));
        });
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public Mono<Void> shutdown() {
        return Mono.fromRunnable(() -> server.disposeNow(SHUTDOWN_GRACE))
                .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
                .onErrorResume(e -> {
                    log.warn("admin server shutdown: {}", e.toString());
                    return Mono.empty();
                })
                .then(loops.disposeLater());
    }

    /** Routes one request. */
    private static final class Handler {
        private final AdminOperations ops;
        private final Scheduler worker;
        private final Optional<byte[]> expectedAuthorization;

        Handler(AdminOperations ops, Scheduler worker, Optional<byte[]> expectedAuthorization) {
            this.ops = ops;
            this.worker = worker;
            this.expectedAuthorization = expectedAuthorization;
        }

        Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
            String path = req.fullPath();
            HttpMethod method = req.method();
            if (path.equals("/health/live")) {
                return get(method, res, () -> send(res, HttpResponseStatus.OK, JSON, Json.status("live")));
            }
            if (path.equals("/health/ready")) {
                return get(method, res, () -> ops.ready().flatMap(ready -> ready
                        ? send(res, HttpResponseStatus.OK, JSON, Json.status("ready"))
                        : send(res, HttpResponseStatus.SERVICE_UNAVAILABLE, JSON, Json.status("not ready"))));
            }
            if (!authorized(req)) {
                res.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"jitsu\"");
                return send(res, HttpResponseStatus.UNAUTHORIZED, JSON, Json.error("a valid bearer token is required"));
            }
            if (path.equals("/metrics")) {
                return get(method, res, () -> Mono.fromCallable(ops::metrics).subscribeOn(worker)
                        .flatMap(text -> text.isPresent()
                                ? send(res, HttpResponseStatus.OK, PROMETHEUS_TEXT, text.get())
                                : send(res, HttpResponseStatus.NOT_FOUND, JSON,
                                Json.error("metrics are disabled (metrics.enabled: false)"))));
            }
            if (path.equals("/api/services")) {
                String accept = req.requestHeaders().get(HttpHeaderNames.ACCEPT, "");
                return get(method, res, () -> accept.contains("text/plain") && !accept.contains("json")
                        ? send(res, HttpResponseStatus.OK, "text/plain; charset=utf-8",
                        ServiceTable.render(ops.services(), java.time.Instant.now()))
                        : send(res, HttpResponseStatus.OK, JSON, Json.services(ops.services())));
            }
            if (path.equals("/api/reload")) {
                return post(method, res, () -> ops.reload().flatMap(o -> send(res,
                        o.applied() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST, JSON, Json.reload(o))));
            }
            Matcher m = SERVICE_ACTION.matcher(path);
            if (m.matches()) {
                String id = m.group(1);
                boolean start = m.group(2).equals("start");
                return post(method, res, () -> {
                    Optional<Mono<AdminOperations.ActionResult>> action = start ? ops.start(id) : ops.stop(id);
                    if (action.isEmpty()) {
                        return send(res, HttpResponseStatus.NOT_FOUND, JSON, Json.error("no service " + id));
                    }
                    return action.get().flatMap(r -> send(res, r.failure().isEmpty() ? HttpResponseStatus.OK
                            : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON, Json.action(r)));
                });
            }
            Matcher reg = SERVICE.matcher(path);
            if (reg.matches()) {
                return register(req, res, reg.group(1));
            }
            return send(res, HttpResponseStatus.NOT_FOUND, JSON, Json.error("no such resource: " + path));
        }

        /** {@code POST /api/services/ID} with the spec as body registers; {@code DELETE} removes. */
        private Mono<Void> register(HttpServerRequest req, HttpServerResponse res, String id) {
            if (HttpMethod.DELETE.equals(req.method())) {
                return ops.unregister(id).flatMap(r -> sendRegistration(res, r));
            }
            if (!HttpMethod.POST.equals(req.method())) {
                res.header(HttpHeaderNames.ALLOW, "POST, DELETE");
                return send(res, HttpResponseStatus.METHOD_NOT_ALLOWED, JSON, Json.error("use POST or DELETE"));
            }
            return req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                    .flatMap(body -> {
                        if (body.length() > MAX_SPEC_BYTES) {
                            return send(res, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, JSON,
                                    Json.error("a service spec has at most " + MAX_SPEC_BYTES + " bytes"));
                        }
                        if (body.isBlank()) {
                            return send(res, HttpResponseStatus.BAD_REQUEST, JSON, Json.error("the body must be"
                                    + " the service as a YAML or JSON mapping (the keys of a services[] entry)"));
                        }
                        return ops.register(id, body).flatMap(r -> sendRegistration(res, r));
                    });
        }

        private static Mono<Void> sendRegistration(HttpServerResponse res, AdminOperations.Registration r) {
            HttpResponseStatus status = switch (r.outcome()) {
                case APPLIED -> HttpResponseStatus.OK;
                case INVALID -> HttpResponseStatus.BAD_REQUEST;
                case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
                case CONFLICT -> HttpResponseStatus.CONFLICT;
                case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            };
            return send(res, status, JSON, Json.registration(r));
        }

        private boolean authorized(HttpServerRequest req) {
            if (expectedAuthorization.isEmpty()) {
                return true;
            }
            String given = req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
            return given != null
                    && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization.get());
        }

        private static Mono<Void> get(HttpMethod method, HttpServerResponse res,
                                      java.util.function.Supplier<Mono<Void>> action) {
            return only(HttpMethod.GET, method, res, action);
        }

        private static Mono<Void> post(HttpMethod method, HttpServerResponse res,
                                       java.util.function.Supplier<Mono<Void>> action) {
            return only(HttpMethod.POST, method, res, action);
        }

        private static Mono<Void> only(HttpMethod allowed, HttpMethod method, HttpServerResponse res,
                                       java.util.function.Supplier<Mono<Void>> action) {
            if (!allowed.equals(method)) {
                res.header(HttpHeaderNames.ALLOW, allowed.name());
                return send(res, HttpResponseStatus.METHOD_NOT_ALLOWED, JSON, Json.error("use " + allowed.name()));
            }
            return action.get();
        }

        private static Mono<Void> send(HttpServerResponse res, HttpResponseStatus status, String type, String body) {
            return res.status(status)
                    .header(HttpHeaderNames.CONTENT_TYPE, type)
                    .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .sendString(Mono.just(body), StandardCharsets.UTF_8)
                    .then();
        }
    }
}
