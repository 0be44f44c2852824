package org.jitsu.server.dns.authority;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ServiceUnavailableException;
import reactor.core.publisher.Mono;

/**
 * Everything the pipeline answers for one name of a zone, prebuilt: per question type, either a fixed
 * answer (static records, NoData) or, for the types a service answers, the answer to give once the
 * service runs. Immutable; resolving allocates nothing when the service is running: the core's
 * {@link ManagedService#warm()} says so, and the prebuilt {@code Mono.just} of the answer is returned
 * (a scalar the front end reads synchronously). Only a cold query builds a reactive chain, on the
 * core's {@link ManagedService#ensureRunning()}.
 */
final class NameNode implements AnswerNode {
    static final int SLOT_A = 0;
    static final int SLOT_NS = 1;
    static final int SLOT_SOA = 2;
    static final int SLOT_AAAA = 3;
    static final int SLOT_ANY = 4;
    static final int SLOT_OTHER = 5;
    static final int SLOTS = 6;

    /** The slot of a question type; every type without its own slot shares {@link #SLOT_OTHER}. */
    static int slot(int type) {
        switch (type) {
            case RecordType.A: return SLOT_A;
            case RecordType.NS: return SLOT_NS;
            case RecordType.SOA: return SLOT_SOA;
            case RecordType.AAAA: return SLOT_AAAA;
            case RecordType.ANY: return SLOT_ANY;
            default: return SLOT_OTHER;
        }
    }

    private final Optional<ManagedService> service;
    // per slot: the answer when no running service is needed (the service's answers are absent here)
    private final Mono<Answer>[] fixed;
    // per slot: the answer once the service runs, as a value and as a ready Mono; null when the
    // service has no records of that type (then fixed[slot] applies, and the query only counts as traffic)
    private final Answer.Found[] running;
    private final Mono<Answer>[] runningMono;
    // per slot: with answer: at-once, the answer given at once while the service does not run (the proxy's
    // front addresses); null when the service is answered once ready
    private final Mono<Answer>[] atOnceMono;

    NameNode(Optional<ManagedService> service, Answer[] fixed, Answer.Found[] running) {
        this(service, fixed, running, new IdentityHashMap<>());
    }

    /**
     * As above; {@code shared} holds the ready {@code Mono} of answers that many names give (a zone's
     * NoData), so that 100,000 service names do not each wrap the same answer four times. Within the
     * node, equal service answers (A and ANY of an IPv4-only service) are one object.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // arrays of Mono<Answer>: no generic array creation in Java
    NameNode(Optional<ManagedService> service, Answer[] fixed, Answer.Found[] running,
             Map<Answer, Mono<Answer>> shared) {
        if (fixed.length != SLOTS || running.length != SLOTS) {
            throw new IllegalArgumentException("expected " + SLOTS + " slots");
        }
        this.service = service;
        this.fixed = new Mono[SLOTS];
        this.running = running.clone();
        this.runningMono = new Mono[SLOTS];
        this.atOnceMono = null;
        for (int i = 0; i < SLOTS; i++) {
            this.fixed[i] = fixed[i] == null ? null : shared.computeIfAbsent(fixed[i], Mono::just);
            if (running[i] != null) {
                for (int j = 0; j < i && this.runningMono[i] == null; j++) {
                    if (running[i].equals(this.running[j])) {
                        this.running[i] = this.running[j];
                        this.runningMono[i] = this.runningMono[j];
                    }
                }
                if (this.runningMono[i] == null) {
                    this.runningMono[i] = Mono.just(running[i]);
                }
            }
            if (this.fixed[i] == null && this.runningMono[i] == null) {
                throw new IllegalArgumentException("slot " + i + " has no answer");
            }
            if (running[i] != null && service.isEmpty()) {
                throw new IllegalArgumentException("slot " + i + " needs a service");
            }
        }
    }

    /** As {@code node}, answering at once with {@code front}'s service answers while the service does not run. */
    private NameNode(NameNode node, NameNode front) {
        this.service = node.service;
        this.fixed = node.fixed;
        this.running = node.running;
        this.runningMono = node.runningMono;
        this.atOnceMono = front.runningMono;
    }

    /**
     * This node with an at-once answer: where this one waits for the service to be ready, the copy answers
     * at once with {@code front}'s answer of the same slot (built like this one, on the front addresses)
     * and starts the boot in the background.
     */
    NameNode answeringAtOnce(NameNode front) {
        return new NameNode(this, front);
    }

    /** The service whose answers this node gives, or null for a name without one. */
    ManagedService serviceOrNull() {
        return service.orElse(null);
    }

    /**
     * The answer to {@code type} when it is one of the service's and the service runs (counting the
     * warm hit), else null: the warm path of a template instance, with no cold path behind it.
     */
    Mono<Answer> warmAnswer(int type) {
        int slot = slot(type);
        return running[slot] != null && service.isPresent() && service.get().warm() ? runningMono[slot] : null;
    }

    @Override
    public Mono<Answer> warm(Query query) {
        return warmAnswer(query.type());
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        return resolve(query.type());
    }

    @Override
    public ManagedService service() {
        return serviceOrNull();
    }

    Mono<Answer> resolve(int type) {
        int slot = slot(type);
        if (service.isPresent()) {
            ManagedService s = service.get();
            Answer.Found found = running[slot];
            if (found != null) {
                if (s.warm()) {
                    return runningMono[slot];
                }
                if (atOnceMono != null && atOnceMono[slot] != null) {
                    s.touch(); // starts the boot; the front holds the connections until it is ready
                    return atOnceMono[slot];
                }
                return cold(s, found);
            }
            s.touch();
        }
        return fixed[slot];
    }

    /** The answer once the service is ready, or SERVFAIL with the reason it is not. */
    private static Mono<Answer> cold(ManagedService s, Answer.Found found) {
        return s.ensureRunning()
                .map(endpoints -> (Answer) found)
                .onErrorResume(ServiceUnavailableException.class,
                        e -> Mono.just(new Answer.ServerFailure(e.getMessage())));
    }
}
