package org.jitsu.backend.libvirt;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Which domain a service runs on: an existing one, or one defined from a template. */
sealed interface DomainSpec {
    Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");

    /** The id of the service's VM: the domain name, or the UUID as configured (lower case). */
    String id();

    /** True when a domain with this name and UUID is the service's domain. */
    boolean matches(String name, String uuid);

    /** The domain XML to define when the domain does not exist. */
    Optional<String> definition();

    /**
     * An existing domain.
     *
     * @param ref its name or UUID
     * @param byUuid whether {@code ref} is a UUID
     */
    record Existing(String ref, boolean byUuid) implements DomainSpec {
        @Override
        public String id() {
            return ref;
        }

        @Override
        public boolean matches(String name, String uuid) {
            return byUuid ? normalizeUuid(ref).equals(normalizeUuid(uuid)) : ref.equals(name);
        }

        @Override
        public Optional<String> definition() {
            return Optional.empty();
        }
    }

    /**
     * A domain defined from a template when it does not exist yet.
     *
     * @param name the domain name from the rendered XML
     * @param uuid the UUID from the rendered XML, if it has one
     * @param renderer renders the domain XML (when the domain is defined: not kept per service)
     */
    record Template(String name, Optional<String> uuid, java.util.function.Supplier<String> renderer)
            implements DomainSpec {
        /** The rendered domain XML. */
        public String xml() {
            return renderer.get();
        }

        @Override
        public String id() {
            return name;
        }

        @Override
        public boolean matches(String domainName, String domainUuid) {
            return name.equals(domainName) || uuid.map(u -> normalizeUuid(u).equals(normalizeUuid(domainUuid))).orElse(false);
        }

        @Override
        public Optional<String> definition() {
            return Optional.of(xml());
        }
    }

    /** Validates a service's {@code libvirt:} section. */
    static DomainSpec parse(String serviceId, Settings spec) {
        return parse(serviceId, spec, new CompiledTemplate.Cache());
    }

    /** As {@link #parse(String, Settings)}, with templates read once per file through {@code templates}. */
    static DomainSpec parse(String serviceId, Settings spec, CompiledTemplate.Cache templates) {
        spec.allowOnly("domain", "template", "vars", "xenstore"); // xenstore: GuestConfig
        boolean domain = spec.has("domain");
        boolean template = spec.has("template");
        String expected = "exactly one of domain (an existing domain's name or UUID) or template (a domain XML file)";
        if (domain == template) {
            throw domain
                    ? new ConfigException(spec.keyPath("template"), spec.string("template"), expected)
                    : new ConfigException(spec.keyPath("domain"), null, expected);
        }
        if (domain) {
            if (spec.has("vars")) {
                throw new ConfigException(spec.keyPath("vars"), spec.raw("vars").orElse(null), "vars only together with template");
            }
            String ref = spec.string("domain");
            boolean byUuid = UUID.matcher(ref).matches();
            return new Existing(byUuid ? ref.toLowerCase(Locale.ROOT) : ref, byUuid);
        }
        return DomainTemplate.load(serviceId, spec, templates);
    }

    private static String normalizeUuid(String uuid) {
        return uuid == null ? "" : uuid.replace("-", "").toLowerCase(Locale.ROOT);
    }
}
