package org.jitsu.server.dns.authority;

import reactor.core.publisher.Mono;

/**
 * Turns a question into an answer, booting the service behind the name when needed.
 *
 * <p>Called on a DNS event loop: implementations must not block. The returned {@link Mono} completes
 * at once for warm names and when the service is ready for cold ones; it never errors (failures are
 * {@link Answer.ServerFailure}) and never completes empty.
 */
@FunctionalInterface
public interface QueryPipeline {
    Mono<Answer> resolve(Query query);
}
