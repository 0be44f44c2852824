package org.jitsu.server.dns.authority;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Objects;

/** The records Jitsu serves. Only the DNS front end turns them into bytes. */
public sealed interface ResourceRecord {

    DomainName owner();

    /** Time to live in seconds. */
    long ttl();

    /** The numeric type ({@link RecordType}). */
    int type();

    /** An IPv4 address. */
    record A(DomainName owner, long ttl, Inet4Address address) implements ResourceRecord {
        public A {
            Objects.requireNonNull(owner);
            Objects.requireNonNull(address);
        }

        @Override
        public int type() {
            return RecordType.A;
        }
    }

    /** An IPv6 address. */
    record Aaaa(DomainName owner, long ttl, Inet6Address address) implements ResourceRecord {
        public Aaaa {
            Objects.requireNonNull(owner);
            Objects.requireNonNull(address);
        }

        @Override
        public int type() {
            return RecordType.AAAA;
        }
    }

    /** A name server of a zone. */
    record Ns(DomainName owner, long ttl, DomainName nameserver) implements ResourceRecord {
        public Ns {
            Objects.requireNonNull(owner);
            Objects.requireNonNull(nameserver);
        }

        @Override
        public int type() {
            return RecordType.NS;
        }
    }

    /** The start of authority of a zone (RFC 1035 3.3.13); times in seconds. */
    record Soa(DomainName owner, long ttl, DomainName mname, DomainName rname, long serial, long refresh,
               long retry, long expire, long minimum) implements ResourceRecord {
        public Soa {
            Objects.requireNonNull(owner);
            Objects.requireNonNull(mname);
            Objects.requireNonNull(rname);
        }

        @Override
        public int type() {
            return RecordType.SOA;
        }

        /** The TTL to give this SOA in a negative answer (RFC 2308 §3): min(TTL, MINIMUM). */
        public Soa forNegativeAnswer() {
            long t = Math.min(ttl, minimum);
            return t == ttl ? this : new Soa(owner, t, mname, rname, serial, refresh, retry, expire, minimum);
        }
    }
}
