/**
 * JMH micro-benchmarks without sockets: the warm path, the cold path and the join of many queries on
 * one boot through the DNS authority and the on-demand core, the front end's decode and encode, the
 * forwarder's wire work beside netty-codec-dns's codecs ({@code ForwarderWireBenchmark});
 * and {@code LibvirtBenchmark}, libvirt operations on libvirt's in-process test driver through the
 * libvirt backend and directly on libvirt-java. {@code ./jitsu bench --jmh [JMH ARGS]} runs them with
 * {@code -prof gc}; each benchmark's javadoc says what it measures.
 *
 * <p>Dependencies: the server's and the backends' public API, libvirt-java (for the direct path of
 * {@code LibvirtBenchmark}) and JMH. Never run by {@code ./jitsu test}.
 */
package org.jitsu.bench.jmh;
