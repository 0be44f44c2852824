package org.jitsu.server.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.settings.IpLiteral;
import reactor.core.publisher.Mono;

/** A tiny hand-written zone {@code example.test} for front-end tests: name and type to answer. */
final class TestAnswers {
    static final DomainName ZONE = DomainName.of("example.test");
    static final ResourceRecord.Soa SOA = new ResourceRecord.Soa(ZONE, 3600, DomainName.of("ns1.example.test"),
            DomainName.of("hostmaster.example.test"), 2026112601L, 7200, 900, 1209600, 60);

    private final Map<String, Mono<Answer>> answers = new ConcurrentHashMap<>();

    static DomainName name(String text) {
        return DomainName.of(text);
    }

    static Inet4Address v4(String literal) {
        return (Inet4Address) IpLiteral.parse(literal).orElseThrow();
    }

    static Inet6Address v6(String literal) {
        InetAddress a = IpLiteral.parse(literal).orElseThrow();
        if (a instanceof Inet6Address six) {
            return six;
        }
        throw new IllegalArgumentException(literal);
    }

    /** {@code count} A records 10.0.x.y for {@code owner}. */
    static List<ResourceRecord> manyA(String owner, int count) {
        List<ResourceRecord> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                out.add(new ResourceRecord.A(name(owner), 300,
                        (Inet4Address) InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i})));
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    TestAnswers put(String name, int type, Answer answer) {
        answers.put(key(name, type), Mono.just(answer));
        return this;
    }

    TestAnswers put(String name, int type, Mono<Answer> answer) {
        answers.put(key(name, type), answer);
        return this;
    }

    private static String key(String name, int type) {
        return DomainName.of(name).text() + "/" + type;
    }

    /**
     * The pipeline: the mapped answer; NoData for other types of a mapped name; NxDomain for other
     * names in the zone; NotAuthoritative outside it.
     */
    QueryPipeline pipeline() {
        return q -> {
            Mono<Answer> a = answers.get(q.name().text() + "/" + q.type());
            if (a != null) {
                return a;
            }
            if (!q.name().isSubdomainOf(ZONE)) {
                return Mono.just(Answer.NOT_AUTHORITATIVE);
            }
            boolean exists = answers.keySet().stream().anyMatch(k -> k.startsWith(q.name().text() + "/"));
            return Mono.just(exists ? new Answer.NoData(SOA) : new Answer.NxDomain(SOA));
        };
    }

}
