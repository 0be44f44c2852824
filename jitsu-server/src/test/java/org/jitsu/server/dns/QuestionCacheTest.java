package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.RecordType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The decoder's question cache: same answers as without it, reuse on a hit, bounded under a flood. */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class QuestionCacheTest {

    private static WireRequest.Question decode(byte[] query, QuestionCache cache) {
        ByteBuf b = Unpooled.wrappedBuffer(query);
        try {
            ParseResult r = QueryDecoder.decode(b, cache);
            assertThat(r).isInstanceOf(ParseResult.Accept.class);
            return ((ParseResult.Accept) r).request().question().orElseThrow();
        } finally {
            b.release();
        }
    }

    @Test
    void aRepeatedQuestionIsTheSameObject() {
        QuestionCache cache = QuestionCache.create(16);
        WireRequest.Question first = decode(QueryBytes.query(1, "www.example.test", RecordType.A), cache);
        WireRequest.Question again = decode(QueryBytes.query(2, "www.example.test", RecordType.A), cache);
        assertThat(again).isSameAs(first);
        assertThat(first.name()).isEqualTo(DomainName.of("www.example.test"));
    }

    @Test
    void typeAndLetterCaseAreKeptApart() {
        QuestionCache cache = QuestionCache.create(16);
        WireRequest.Question a = decode(QueryBytes.query(1, "www.example.test", RecordType.A), cache);
        WireRequest.Question aaaa = decode(QueryBytes.query(2, "www.example.test", RecordType.AAAA), cache);
        WireRequest.Question mixed = decode(QueryBytes.query(3, "WwW.Example.TEST", RecordType.A), cache);
        assertThat(aaaa.qtype()).isEqualTo(RecordType.AAAA);
        assertThat(a.qtype()).isEqualTo(RecordType.A);
        assertThat(mixed).isNotSameAs(a);
        assertThat(new String(mixed.nameWire(), java.nio.charset.StandardCharsets.US_ASCII)).contains("WwW", "Example",
                "TEST");
        assertThat(mixed.name()).isSameAs(a.name()); // a case variant reuses the canonical name
        WireRequest.Question lower = decode(QueryBytes.query(4, "www.example.test", RecordType.A), cache);
        assertThat(lower.nameWire()).isEqualTo(a.nameWire());
    }

    @Test
    void aFloodOfNamesChurningFewSlotsNeverConfusesNames() {
        QuestionCache cache = QuestionCache.create(8);
        for (int i = 0; i < 10_000; i++) {
            String name = "n" + i + ".example.test";
            WireRequest.Question q = decode(QueryBytes.query(i, name, RecordType.A), cache);
            assertThat(q.name()).isEqualTo(DomainName.of(name));
        }
    }

    @Test
    void withoutACacheEveryQuestionIsBuilt() {
        WireRequest.Question a = decode(QueryBytes.query(1, "www.example.test", RecordType.A), QuestionCache.NONE);
        WireRequest.Question b = decode(QueryBytes.query(1, "www.example.test", RecordType.A), QuestionCache.NONE);
        assertThat(b).isNotSameAs(a);
        assertThat(b.nameWire()).isEqualTo(a.nameWire());
        assertThat(b.name()).isEqualTo(DomainName.of("www.example.test"));
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> QuestionCache.create(12)).hasMessage("size: 12 (expected: a power of two)");
        assertThatThrownBy(() -> QuestionCache.create(0)).hasMessage("size: 0 (expected: a power of two)");
    }
}
