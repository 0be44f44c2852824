package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.dns.DnsRecordType;
import org.jitsu.server.dns.authority.RecordType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The authority names the types it answers for with its own compile-time constants (it touches no
 * Netty); the front end writes them to the wire as they are. They must be netty-codec-dns's numbers.
 */
@Tag("fast")
class WireVocabularyTest {

    @Test
    void theAuthoritysRecordTypesAreTheLibrarysNumbers() {
        assertThat(RecordType.A).isEqualTo(DnsRecordType.A.intValue());
        assertThat(RecordType.NS).isEqualTo(DnsRecordType.NS.intValue());
        assertThat(RecordType.CNAME).isEqualTo(DnsRecordType.CNAME.intValue());
        assertThat(RecordType.SOA).isEqualTo(DnsRecordType.SOA.intValue());
        assertThat(RecordType.AAAA).isEqualTo(DnsRecordType.AAAA.intValue());
        assertThat(RecordType.ANY).isEqualTo(DnsRecordType.ANY.intValue());
    }
}
