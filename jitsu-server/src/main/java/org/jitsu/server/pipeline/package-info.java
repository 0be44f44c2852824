/**
 * The on-demand query pipeline: turns a {@link org.jitsu.server.pipeline.Query} into an
 * {@link org.jitsu.server.pipeline.Answer}, booting the service behind a name when needed.
 *
 * <p>Public: the domain types and {@link org.jitsu.server.pipeline.OnDemandPipeline} (built with
 * {@code OnDemandPipeline.builder()}). Hidden (package-private):
 * <ul>
 *   <li>{@code ZoneIndex}: all zone data precomputed at build time into immutable maps of
 *       {@code NameNode}s, each holding its prebuilt answers per question type;</li>
 *   <li>{@code ServiceRuntime}: one state machine per service (STOPPED, BOOTING, RUNNING, STOPPING,
 *       SUSPENDED) with one shared in-flight boot, idle stops and backend events;</li>
 *   <li>{@code BootGate}: the global bound on running and queued boots;</li>
 *   <li>{@code DefaultOnDemandPipeline} and {@code PipelineBuilder}: wiring, idle ticks, start-up
 *       adoption of running VMs.</li>
 * </ul>
 * Dependency direction: the DNS front end calls this package; this package calls
 * {@code org.jitsu.backend}; never the other way. All time comes from the injected timer.
 */
package org.jitsu.server.pipeline;
