package org.jitsu.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.AddressPool;
import org.jitsu.server.core.InstanceBudget;
import org.jitsu.server.dns.authority.NamePattern;
import org.jitsu.settings.Settings;

/**
 * One entry of {@code templates:}, validated, before any backend exists: a pattern of names whose
 * every distinct match becomes its own instance. The backend section and the readiness items stay
 * {@link Settings} with their {@code ${...}} placeholders; the server fills them in per instance.
 *
 * @param id the unique id (among services and templates); instance ids are {@code id.label...}
 * @param path the entry's path in the config ({@code templates[0]}), for errors found later
 * @param pattern the names of its instances, with the rules of each capture
 * @param ttl TTL of an instance's address records, seconds
 * @param addresses where instances get their addresses ({@code pool:} ranges, or fixed {@code addresses:})
 * @param backend the name of its backend
 * @param spec the section named after the backend's type, placeholders unfilled
 * @param readiness the readiness items, placeholders unfilled
 * @param bootTimeout bound on an instance's start plus readiness
 * @param idleTimeout stop an instance after this long without a query
 * @param stopMode how instances are stopped when idle
 * @param stopGrace for {@link StopMode#SHUTDOWN}, time before it is destroyed
 * @param forgetAfter forget a stopped instance unused this long
 * @param budget what the template may cost
 * @param refuseWithRefused a name over budget gets REFUSED (true) or SERVFAIL (false)
 * @param source the entry as written, compared on a reload
 * @param replicas with {@code replicas:}: every instance runs up to {@code max} replicas, each with its own
 *     VM ({@code ${replica}} filled in) and its own address of each range of the pool
 */
public record TemplateConfig(String id, String path, NamePattern pattern, long ttl, AddressPool addresses,
                             String backend, Settings spec, List<Settings> readiness, Duration bootTimeout,
                             Duration idleTimeout, StopMode stopMode, Duration stopGrace, Duration forgetAfter,
                             InstanceBudget budget, boolean refuseWithRefused, Map<?, ?> source,
                             Optional<ReplicaSettings> replicas) {
    /** A placeholder in a backend spec or a readiness item: {@code ${name}}. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    public TemplateConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(spec, "spec");
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(replicas, "replicas");
    }
}
