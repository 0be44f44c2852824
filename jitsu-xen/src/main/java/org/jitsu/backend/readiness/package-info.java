/**
 * Readiness checks run after a VM starts and before its address is announced:
 * {@code backend: running}, {@code tcp: ADDRESS:PORT}, {@code http: URL} and {@code delay: DURATION},
 * built by {@link org.jitsu.backend.readiness.ReadinessChecks#parse}. Network checks use IP literals
 * only and retry with back-off on the injected timer until cancelled.
 */
package org.jitsu.backend.readiness;
