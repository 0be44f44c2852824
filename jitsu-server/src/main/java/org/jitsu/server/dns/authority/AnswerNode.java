package org.jitsu.server.dns.authority;

import org.jitsu.server.core.ManagedService;
import reactor.core.publisher.Mono;

/** The answers for one name of a template instance: a plain instance's or a replicated one's. */
interface AnswerNode {

    /** The answer when it can be given at once without a boot (the warm path), else null. */
    Mono<Answer> warm(Query query);

    /** The answer, booting what it needs. */
    Mono<Answer> resolve(Query query);

    /** The instance behind it (with replicas, replica 1). */
    ManagedService service();
}
