package org.jitsu.server.dns;

import java.util.Arrays;
import java.util.Optional;
import org.jitsu.server.dns.authority.DomainName;

/**
 * A bounded, direct-mapped cache of decoded questions, keyed by the question name's wire bytes (in
 * the client's letter case), type and class: a warm query for a name seen before reuses the same
 * immutable {@link WireRequest.Question}, its canonical {@link DomainName} (whose string hash is then
 * computed once) and the {@code Optional} around it, so decoding the question allocates nothing.
 *
 * <p>Each slot holds one immutable entry; a miss replaces it. So the cache never grows, whatever
 * names arrive (a flood of random names only churns the slots), and it needs no lock: a reader sees
 * either the old or the new entry, both complete (final fields), whichever thread wrote last. Slots
 * are chosen by a hash of the lower-case name, so a case variant of a cached name (DNS 0x20 letter
 * randomisation) lands on the same slot and reuses its canonical name.
 */
final class QuestionCache {
    /** No caching: every question is built afresh. */
    static final QuestionCache NONE = new QuestionCache(0);

    private final Entry[] slots;
    private final int mask;

    private record Entry(byte[] wire, int qtype, int qclass, Optional<WireRequest.Question> question) {
    }

    private QuestionCache(int size) {
        this.slots = new Entry[size];
        this.mask = size - 1;
    }

    /**
     * A cache of {@code size} slots.
     *
     * @throws IllegalArgumentException unless {@code size} is a power of two
     */
    static QuestionCache create(int size) {
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size: " + size + " (expected: a power of two)");
        }
        return new QuestionCache(size);
    }

    /**
     * The question for the validated wire name in {@code wire[0, length)}, type and class: cached, or
     * built (copying the name out of {@code wire}, which the caller reuses) and cached.
     */
    Optional<WireRequest.Question> question(byte[] wire, int length, int qtype, int qclass) {
        if (slots.length == 0) {
            return Optional.of(build(wire, length, qtype, qclass, Optional.empty()));
        }
        int h = qtype * 31 + qclass;
        for (int i = 0; i < length; i++) {
            h = h * 31 + lower(wire[i]);
        }
        h ^= h >>> 16;
        int slot = h & mask;
        Entry e = slots[slot];
        if (e != null && e.qtype == qtype && e.qclass == qclass
                && Arrays.equals(e.wire, 0, e.wire.length, wire, 0, length)) {
            return e.question;
        }
        Optional<DomainName> known = Optional.empty();
        if (e != null && sameIgnoringCase(e.wire, wire, length)) {
            known = Optional.of(e.question.get().name());
        }
        WireRequest.Question q = build(wire, length, qtype, qclass, known);
        Optional<WireRequest.Question> cached = Optional.of(q);
        slots[slot] = new Entry(q.nameWire(), qtype, qclass, cached);
        return cached;
    }

    private static WireRequest.Question build(byte[] wire, int length, int qtype, int qclass,
                                              Optional<DomainName> known) {
        byte[] exact = Arrays.copyOf(wire, length);
        DomainName name = known.isPresent() ? known.get() : DomainName.ofCanonical(canonical(exact));
        return new WireRequest.Question(exact, name, qtype, qclass);
    }

    private static boolean sameIgnoringCase(byte[] a, byte[] b, int length) {
        if (a.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(a[i]) != lower(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    /** The lower-case dotted text of a validated wire name (ASCII only: no IDN, no decoding). */
    static String canonical(byte[] wire) {
        if (wire.length == 1) {
            return "";
        }
        char[] text = new char[wire.length - 2];
        int t = 0;
        int p = 0;
        while (wire[p] != 0) {
            int len = wire[p];
            if (t > 0) {
                text[t++] = '.';
            }
            for (int i = p + 1; i <= p + len; i++) {
                text[t++] = (char) lower(wire[i]);
            }
            p += 1 + len;
        }
        return new String(text, 0, t);
    }
}
