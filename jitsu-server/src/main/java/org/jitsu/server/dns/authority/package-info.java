/**
 * The DNS authority: the zones, and the answer to each question, built on the on-demand core.
 *
 * <p>Public: the answer model the front end encodes ({@link org.jitsu.server.dns.authority.Query},
 * {@link org.jitsu.server.dns.authority.Answer}, {@link org.jitsu.server.dns.authority.ResourceRecord},
 * {@link org.jitsu.server.dns.authority.DomainName}, {@link org.jitsu.server.dns.authority.RecordType}),
 * the configuration it is built from ({@link org.jitsu.server.dns.authority.ZoneDefinition},
 * {@link org.jitsu.server.dns.authority.NamedService}) and
 * {@link org.jitsu.server.dns.authority.OnDemandPipeline}. Hidden (package-private): {@code ZoneIndex}
 * (all zone data precomputed into immutable maps of {@code NameNode}s, each holding its prebuilt answers
 * per question type) and the wiring.
 *
 * <p>Dependencies: {@code org.jitsu.server.core} (a name's service is a
 * {@link org.jitsu.server.core.ManagedService}: {@code warm()} on the warm path, {@code ensureRunning()}
 * on the cold one), Reactor. Nothing here touches bytes or Netty: that is {@code org.jitsu.server.dns}.
 * Nothing in the core may depend on this package.
 */
package org.jitsu.server.dns.authority;
