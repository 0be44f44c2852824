package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.ResponseRateLimiter.DROP;
import static org.jitsu.server.dns.ResponseRateLimiter.SEND;
import static org.jitsu.server.dns.ResponseRateLimiter.SLIP;
import static org.jitsu.server.dns.TestAnswers.v4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Response-rate limiting: per prefix and class, token buckets with slip, an allow-list, a dry run. */
@Tag("fast")
class ResponseRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Map<String, AtomicInteger> counted = new ConcurrentHashMap<>();
    private final FrontEndMetrics metrics = new FrontEndMetrics() {
        @Override
        public void rateLimited(String action) {
            counted.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
        }
    };

    private ResponseRateLimiter limiter(int rate, int slip, List<Cidr> allow, boolean dryRun) {
        return new ResponseRateLimiter(new RateLimitSettings(true, rate, slip, 24, 56, 1024, allow, dryRun), now::get,
                metrics);
    }

    private static InetAddress ip(String s) {
        return IpLiteral.parse(s).orElseThrow();
    }

    private static List<Integer> decide(ResponseRateLimiter l, String client, int rcode, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(l.decide(ip(client), rcode, 1));
        }
        return out;
    }

    @Test
    void aPrefixGetsItsRateThenEverySecondLimitedAnswerSlipsAndTheBucketRefills() {
        ResponseRateLimiter l = limiter(5, 2, List.of(), false);
        assertThat(decide(l, "198.51.100.7", 0, 9)).containsExactly(SEND, SEND, SEND, SEND, SEND, DROP, SLIP, DROP, SLIP);
        assertThat(decide(l, "198.51.100.200", 0, 1)).as("the same /24").containsExactly(DROP);
        assertThat(decide(l, "198.51.101.7", 0, 1)).as("another /24").containsExactly(SEND);
        assertThat(decide(l, "198.51.100.7", 3, 1)).as("NXDOMAIN is another class").containsExactly(SEND);
        now.addAndGet(400); // 2 answers' worth at 5 per second
        assertThat(decide(l, "198.51.100.7", 0, 3)).containsExactly(SEND, SEND, SLIP);
        assertThat(counted.get("dropped")).hasValue(3);
        assertThat(counted.get("slipped")).hasValue(3);
    }

    @Test
    void slipZeroDropsEverythingAndIpv6PrefixesAreSlash56() {
        ResponseRateLimiter l = limiter(1, 0, List.of(), false);
        assertThat(decide(l, "2001:db8:0:10::1", 0, 3)).containsExactly(SEND, DROP, DROP);
        assertThat(decide(l, "2001:db8:0:20::1", 0, 1)).as("the same /56 (…:0000–00ff)").containsExactly(DROP);
        assertThat(decide(l, "2001:db8:0:100::1", 0, 1)).as("another /56").containsExactly(SEND);
    }

    @Test
    void anAllowedClientAndADryRunAreNeverLimited() {
        ResponseRateLimiter allow = limiter(1, 2, List.of(Cidr.parse("192.0.2.0/24").orElseThrow()), false);
        assertThat(decide(allow, "192.0.2.9", 0, 5)).containsOnly(SEND);
        ResponseRateLimiter dry = limiter(1, 2, List.of(), true);
        assertThat(decide(dry, "203.0.113.9", 0, 5)).containsOnly(SEND);
        assertThat(counted.get("dry-run")).as("counted all the same").hasValue(4);
    }

    @Test
    void aSlippedAnswerIsTruncatedWithNoRecords() {
        TestAnswers zone = new TestAnswers().put("www.example.test", RecordType.A,
                Answer.Found.of(List.of(new ResourceRecord.A(TestAnswers.name("www.example.test"), 60, v4("192.0.2.10")))));
        QueryResponder responder = new QueryResponder(zone.pipeline(), java.util.Optional.empty(), metrics, 1232,
                limiter(1, 1, List.of(), false));
        InetSocketAddress client = new InetSocketAddress(v4("198.51.100.7"), 5353);
        List<byte[]> replies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ByteBuf in = Unpooled.wrappedBuffer(QueryBytes.query(7 + i, "www.example.test", RecordType.A));
            DnsReply reply = QueryResponder.now(responder.respond(in, client, Transport.UDP)).orElseThrow();
            in.release();
            ByteBuf out = responder.encodeUdpLimited(UnpooledByteBufAllocator.DEFAULT, reply, client, System.nanoTime());
            replies.add(ByteBufUtil.getBytes(out));
            out.release();
        }
        assertThat(Wire.tc(replies.get(0))).isFalse();
        assertThat(Wire.ancount(replies.get(0))).isEqualTo(1);
        assertThat(Wire.tc(replies.get(1))).as("over the limit with slip 1: truncated").isTrue();
        assertThat(Wire.ancount(replies.get(1))).isZero();
        assertThat(Wire.id(replies.get(1))).isEqualTo(8);
    }
}
