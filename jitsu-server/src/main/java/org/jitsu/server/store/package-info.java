/**
 * State that outlives one Jitsu process, behind the core's ports: the {@link org.jitsu.server.store.StateStore}
 * (services registered at run time, one {@link org.jitsu.server.store.ServiceRecord} per service, and the
 * {@link org.jitsu.server.core.BootCoordinator} of the instances that share it), the embedded file store
 * ({@code EmbeddedStore}, one instance, the default), and the core's
 * {@link org.jitsu.server.core.ServiceJournal} on a store ({@link org.jitsu.server.store.StoreJournal}).
 * {@link org.jitsu.server.store.StateStores#open} opens the store of {@code store:}: the embedded one
 * itself, any other type through the {@link org.jitsu.server.store.StateStoreProvider} that
 * {@link java.util.ServiceLoader} finds for it ({@code org.jitsu.server.store.etcd} provides {@code etcd}).
 *
 * <p>Dependencies: the core's ports and types ({@code org.jitsu.server.core}), the config records
 * ({@code org.jitsu.server.config}, {@code org.jitsu.settings.ConfigException}), SnakeYAML (the embedded
 * store's file), Reactor, SLF4J. Never {@code org.jitsu.server.store.etcd} (which depends on this package:
 * it is found by ServiceLoader, not named), jetcd, the DNS packages, Netty, the admin endpoint, the
 * command line or the assembly. {@code StoreDependenciesTest} checks it.
 */
package org.jitsu.server.store;
