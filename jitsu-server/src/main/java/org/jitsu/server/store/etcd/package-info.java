/**
 * etcd as the shared state of a cluster (jetcd): {@link org.jitsu.server.store.etcd.EtcdStoreProvider}
 * ({@code store.type: etcd}) opens the {@code EtcdStore} (registered services, each instance's records, the
 * shared idle clock), whose {@code EtcdCoordinator} is the cluster's
 * {@link org.jitsu.server.core.BootCoordinator}: the lease ({@code EtcdLease}), the claim protocol
 * ({@code ClaimProtocol}, its values in {@code ClaimValues}), the VM records ({@code VmRecords}), the
 * reconciliation after boots without a claim and after an owner died ({@code Reconciliation}) and the
 * other instances' last queries ({@code LastQueries}). Around them: the key layout ({@code EtcdKeys}),
 * bounded calls on the store's own scheduler ({@code EtcdCalls}), watches that resume ({@code ResumingWatch}),
 * failures told by gRPC code ({@code EtcdErrors}) and explained in one line ({@code EtcdProblems}).
 * Public: {@link org.jitsu.server.store.etcd.EtcdStores} and the provider; the rest is package-private.
 *
 * <p>Dependencies: jetcd (with the gRPC, protobuf and Netty TLS types its API exposes),
 * {@code org.jitsu.server.store} (the store interface it implements), the core's ports
 * ({@code org.jitsu.server.core}), the config records ({@code org.jitsu.server.config},
 * {@code org.jitsu.settings.ConfigException}), Reactor, SLF4J. Never the DNS packages, the admin
 * endpoint, the command line or the assembly. {@code StoreDependenciesTest} checks it.
 */
package org.jitsu.server.store.etcd;
