package org.jitsu.server.dns;

import io.netty.handler.codec.dns.DnsResponseCode;
import java.util.List;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.ResourceRecord;

/** A response waiting to be encoded: built by us, or relayed from an upstream resolver. */
sealed interface DnsReply extends MessageResponder.Reply {

    /** The request being answered. */
    WireRequest request();

    /**
     * A response we build.
     *
     * @param rcode the response code, extended codes included ({@code BADVERS_OR_BADSIG}, 16, is
     *     BADVERS here: its upper bits go into the OPT record)
     * @param authoritative the AA bit
     * @param scope {@code Answer.Found.FOR_EVERYONE}, or the least scope of an answer chosen for this
     *     client ({@code Answer.Found#scope}): a client subnet option is echoed with it
     */
    record Built(WireRequest request, DnsResponseCode rcode, boolean authoritative, List<ResourceRecord> answers,
                 List<ResourceRecord> authority, List<ResourceRecord> additional, int scope) implements DnsReply {
        Built(WireRequest request, DnsResponseCode rcode, boolean authoritative, List<ResourceRecord> answers,
              List<ResourceRecord> authority, List<ResourceRecord> additional) {
            this(request, rcode, authoritative, answers, authority, additional, Answer.Found.FOR_EVERYONE);
        }

        public Built {
            answers = List.copyOf(answers);
            authority = List.copyOf(authority);
            additional = List.copyOf(additional);
        }

        /** A response with no records. */
        static Built error(WireRequest request, DnsResponseCode rcode) {
            return new Built(request, rcode, false, List.of(), List.of(), List.of());
        }
    }

    /** An upstream's response, relayed with the client's id restored. */
    record Relayed(WireRequest request, byte[] message) implements DnsReply {
    }
}
