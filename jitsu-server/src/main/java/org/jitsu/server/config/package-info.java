/**
 * The config file, read once and validated into immutable records, failing on the first problem with a
 * {@link org.jitsu.settings.ConfigException} that names the key, the value and what was expected.
 *
 * <p>Public: {@link org.jitsu.server.config.JitsuConfig} (the whole file: {@code load}, {@code parse}),
 * {@link org.jitsu.server.config.ServiceConfig} and {@link org.jitsu.server.config.BackendConfig} (one
 * entry of {@code services:} and of {@code backends:}), {@link org.jitsu.server.config.Addresses}
 * (addresses written for people, as the config writes them). Hidden (package-private): the YAML reader
 * ({@code PlainYamlReader}, {@code YamlDocuments}) and one parser per section ({@code ConfigParser},
 * {@code ZoneParser}, {@code ServiceParser}, {@code StoreParser}).
 *
 * <p><b>Who owns a settings record: the component that reads it.</b> This package parses the file into
 * the components' own records; it defines only the records that nothing below the assembly reads.
 * <ul>
 *   <li>The DNS front end owns {@code dns.ListenSettings}, {@code dns.ForwardSettings} and
 *       {@code dns.Cidr}; the authority owns {@code dns.authority.ZoneDefinition} (with
 *       {@code DomainName} and {@code ResourceRecord}); the core owns {@code core.BootLimits}; the admin
 *       endpoint owns {@code admin.AdminSettings}.</li>
 *   <li>Each backend owns its own section: the config keeps it as raw
 *       {@link org.jitsu.settings.Settings} ({@code BackendConfig.settings}, {@code ServiceConfig.spec},
 *       the readiness items) and the backend's factory validates it, naming the key the same way.</li>
 *   <li>This package owns {@code JitsuConfig}, {@code ServiceConfig} and {@code BackendConfig}: only the
 *       assembly ({@code org.jitsu.server}, which turns them into backends, VMs and named services) and
 *       the command line read them.</li>
 *   <li>Not following the rule yet: {@link org.jitsu.server.config.StoreSettings} is read by the store
 *       alone and belongs in {@code org.jitsu.server.store}; and {@code StateStores.withRegistered}
 *       reads the file again (a {@code JitsuConfig}), which is the assembly's job.</li>
 * </ul>
 * A component's record checks its own invariants (an {@code IllegalArgumentException}, for code that
 * builds it directly); the parsers here check every value first and report it by its key.
 *
 * <p>Dependencies: the settings records of {@code dns}, {@code dns.authority}, {@code core} and
 * {@code admin}; {@code org.jitsu.backend} ({@code StopMode}) and {@code org.jitsu.backend.spi}
 * ({@code Settings}, {@code ConfigException}). No Netty, no Reactor, no I/O but reading the file. Below
 * the assembly nothing imports this package (but the store, above), so the components never see the
 * file's layout; {@code PackageRulesTest} checks it.
 */
package org.jitsu.server.config;
