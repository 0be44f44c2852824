package org.jitsu.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code dig} printed, reduced to what tests check: the status, the AA flag, the section counts,
 * the A/AAAA records of the answer section (address and TTL) and whether the authority section holds
 * an SOA.
 *
 * @param status NOERROR, NXDOMAIN, SERVFAIL, REFUSED...
 * @param authoritative the AA flag
 * @param answers the ANSWER count of the header
 * @param addresses the A and AAAA addresses of the answer section, in order
 * @param ttls their TTLs, in the same order
 * @param soaInAuthority whether the authority section has an SOA record (a negative answer's)
 * @param output everything dig printed, for messages
 */
public record DigOutput(String status, boolean authoritative, int answers, List<String> addresses, List<Long> ttls,
                        boolean soaInAuthority, String output) {
    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
    private static final Pattern FLAGS = Pattern.compile(";; flags:([^;]*);");
    private static final Pattern COUNTS = Pattern.compile("ANSWER: (\\d+), AUTHORITY: (\\d+)");
    private static final Pattern RECORD = Pattern.compile("^\\S+\\s+(\\d+)\\s+IN\\s+(A|AAAA|SOA)\\s+(.+)$");

    /** Parses dig's default output; fails when dig failed or printed no status. */
    public static DigOutput of(DnsTools.Result r) {
        assertThat(r.exitCode()).as("dig exit code; output:%n%s%s", r.stdout(), r.stderr()).isZero();
        String out = r.stdout();
        Matcher s = STATUS.matcher(out);
        assertThat(s.find()).as("status in dig output:%n%s", out).isTrue();
        Matcher f = FLAGS.matcher(out);
        boolean aa = f.find() && List.of(f.group(1).trim().split("\\s+")).contains("aa");
        Matcher c = COUNTS.matcher(out);
        assertThat(c.find()).as("section counts in dig output:%n%s", out).isTrue();
        List<String> addresses = new ArrayList<>();
        List<Long> ttls = new ArrayList<>();
        boolean soa = false;
        String section = "";
        for (String line : out.split("\n")) {
            if (line.startsWith(";; ") && line.endsWith(" SECTION:")) {
                section = line.substring(3, line.length() - " SECTION:".length());
                continue;
            }
            Matcher m = RECORD.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            if (section.equals("ANSWER") && !m.group(2).equals("SOA")) {
                addresses.add(m.group(3).strip());
                ttls.add(Long.parseLong(m.group(1)));
            } else if (section.equals("AUTHORITY") && m.group(2).equals("SOA")) {
                soa = true;
            }
        }
        return new DigOutput(s.group(1), aa, Integer.parseInt(c.group(1)), List.copyOf(addresses), List.copyOf(ttls),
                soa, out);
    }
}
