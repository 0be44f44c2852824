package org.jitsu.server;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.admin.AdminOperations.ReloadOutcome;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.config.TemplateConfig;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.NamedTemplate;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server serves, and how it changes while running: the config file plus the services
 * registered at run time. {@link #apply} reads the file again with a set of registered services,
 * validates it completely, refuses what needs a restart ({@link ConfigDiff#unreloadable}), keeps the
 * definition (and so the runtime and state) of every service whose settings did not change
 * ({@link ConfigDiff#sameService}), defines the others on their backends and swaps the pipeline's zones
 * and services. A rejection changes nothing. Applies one at a time; the config and the registered set
 * change together.
 */
final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final RunningJitsuServer.Parts parts;
    private volatile JitsuConfig config;
    /** Registered at run time, by id, as served now (guarded by this). */
    private Map<String, String> registered;

    ConfigReloader(RunningJitsuServer.Parts parts) {
        this.parts = parts;
        this.config = parts.config();
        this.registered = new LinkedHashMap<>(parts.registered());
    }

    /** The config served now (the last one applied). */
    JitsuConfig config() {
        return config;
    }

    /** The services registered at run time, by id, as served now. */
    synchronized Map<String, String> registered() {
        return new LinkedHashMap<>(registered);
    }

    /** Reads the file again with the registered services of now and applies it (SIGHUP, {@code POST /api/reload}). */
    synchronized ReloadOutcome reload() {
        return apply(registered);
    }

    /** Loads the file with {@code services} registered and applies it; on success they are the registered ones. */
    synchronized ReloadOutcome apply(Map<String, String> services) {
        JitsuConfig running = config;
        String file = running.source();
        JitsuConfig next;
        try {
            next = JitsuConfig.load(Path.of(file), List.copyOf(services.values()));
        } catch (ConfigException e) {
            return rejected(file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            return rejected(file + ": no such file");
        } catch (IOException | RuntimeException e) {
            return rejected(file + ": cannot read: " + e);
        }
        Optional<String> restart = ConfigDiff.unreloadable(running, next);
        if (restart.isPresent()) {
            return rejected(file + ": " + restart.get());
        }
        Map<String, NamedService> defined = new HashMap<>();
        parts.pipeline().definitions().forEach(d -> defined.put(d.id(), d));
        List<NamedService> definitions = new ArrayList<>();
        ReloadResult result;
        Map<String, ServiceConfig> runningById = running.servicesById();
        try {
            Map<String, NamedReplicas> replicatedById = new HashMap<>();
            parts.pipeline().replicated().forEach(r -> replicatedById.put(r.id(), r));
            List<NamedReplicas> replicated = new ArrayList<>();
            for (ServiceConfig s : next.services()) {
                Optional<ServiceConfig> before = Optional.ofNullable(runningById.get(s.id()));
                boolean same = before.isPresent() && ConfigDiff.sameService(before.get(), s);
                if (s.replicas().isPresent()) {
                    NamedReplicas old = replicatedById.get(s.id());
                    replicated.add(same && old != null ? old
                            : ServiceAssembly.defineReplicas(s, parts.backends(), parts.readiness(), parts.timer()));
                    continue;
                }
                NamedService old = defined.get(s.id());
                if (same && old != null) {
                    definitions.add(old); // unchanged: the runtime (and its state) is kept
                } else {
                    definitions.add(ServiceAssembly.define(s, parts.backends(), parts.readiness(), parts.timer()));
                }
            }
            Map<String, NamedTemplate> templatesById = new HashMap<>();
            parts.pipeline().templates().forEach(t -> templatesById.put(t.id(), t));
            List<NamedTemplate> templates = new ArrayList<>();
            for (TemplateConfig t : next.templates()) {
                NamedTemplate old = templatesById.get(t.id());
                templates.add(old != null && old.template().source().equals(t.source()) ? old
                        : TemplateAssembly.define(t, parts.backends(), parts.readiness(), parts.timer()));
            }
            result = parts.pipeline().reload(next.zones(), definitions, templates, replicated);
        } catch (ConfigException e) {
            return rejected(file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return rejected(file + ": " + e.getMessage());
        }
        config = next;
        registered = new LinkedHashMap<>(services);
        parts.metrics().serviceBackends(ConfigDiff.backends(next));
        parts.metrics().reloaded(true);
        String message = "reloaded " + file + ": " + result;
        log.info(message);
        return new ReloadOutcome(true, message);
    }

    private ReloadOutcome rejected(String reason) {
        parts.metrics().reloaded(false);
        log.warn("reload rejected, the running config stays: {}", reason);
        return new ReloadOutcome(false, reason);
    }
}
