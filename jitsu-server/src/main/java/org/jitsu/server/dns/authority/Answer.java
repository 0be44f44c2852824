package org.jitsu.server.dns.authority;

import java.util.List;
import java.util.Objects;

/**
 * What the pipeline decided. Response codes are chosen only at the edge, by the DNS front end:
 * <ul>
 *   <li>{@link Found}: NOERROR, AA, with records;</li>
 *   <li>{@link NoData}: NOERROR, AA, no answer, the zone's SOA in authority;</li>
 *   <li>{@link NxDomain}: NXDOMAIN, AA, the zone's SOA in authority;</li>
 *   <li>{@link NotAuthoritative}: the name is in no zone of ours: forwarded, or REFUSED;</li>
 *   <li>{@link Refused}: REFUSED (a policy said no);</li>
 *   <li>{@link ServerFailure}: SERVFAIL (a boot failed or timed out, limits were exceeded).</li>
 * </ul>
 */
public sealed interface Answer {

    /** Records for the question. */
    /**
     * The name exists and has records of the asked type.
     *
     * @param scope {@link #FOR_EVERYONE} when the records hold for every client; else they were chosen for
     *     this client (a replica picked by its address or subnet), and a resolver that sent a client subnet
     *     is told the answer's scope (RFC 7871) is the larger of its source prefix and this many bits, so
     *     that it caches the answer for that subnet only
     */
    record Found(List<ResourceRecord> answers, List<ResourceRecord> authority, List<ResourceRecord> additional,
                 int scope) implements Answer {
        /** The scope of an answer that holds for every client (scope 0 on the wire). */
        public static final int FOR_EVERYONE = -1;

        /** An answer for everyone. */
        public Found(List<ResourceRecord> answers, List<ResourceRecord> authority, List<ResourceRecord> additional) {
            this(answers, authority, additional, FOR_EVERYONE);
        }

        public Found {
            answers = List.copyOf(answers);
            authority = List.copyOf(authority);
            additional = List.copyOf(additional);
        }

        public static Found of(List<ResourceRecord> answers) {
            return new Found(answers, List.of(), List.of());
        }
    }

    /** The name exists but has no records of the asked type. */
    record NoData(ResourceRecord.Soa soa) implements Answer {
        public NoData {
            Objects.requireNonNull(soa);
        }
    }

    /** The name does not exist in a zone of ours. */
    record NxDomain(ResourceRecord.Soa soa) implements Answer {
        public NxDomain {
            Objects.requireNonNull(soa);
        }
    }

    /** The name is in none of our zones. */
    record NotAuthoritative() implements Answer {
    }

    /** A policy refused the query. */
    record Refused(String reason) implements Answer {
    }

    /** We are authoritative but could not answer: a boot failed or timed out, or limits were hit. */
    record ServerFailure(String reason) implements Answer {
    }

    /** The shared instance of {@link NotAuthoritative}. */
    Answer NOT_AUTHORITATIVE = new NotAuthoritative();
}
