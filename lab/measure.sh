#!/usr/bin/env bash
# Measures, on the QEMU lab, how long a query for a cold QEMU guest takes to be answered by Jitsu, next
# to how long the guest itself takes from `virsh start` to its first HTTP 200. Jitsu's overhead is the
# difference. Runs alternate (guest alone, then through Jitsu) so that both see the same machine load.
#
#   ./jitsu lab up && lab/measure.sh [N]      # N runs of each (default 5)
#
# Guest alone: `virsh start` of domain lab-measure (from config/lab/qemu-guest.xml, forwarded to
# 127.0.6.1:8080), then curl every 20 ms until HTTP 200; the time is taken around both (date +%s%N).
# Through Jitsu: `./jitsu serve` with a config like config/qemu-lab.yml (service measurej, domain
# lab-measurej, 127.0.6.2:8080, DNS on 127.0.0.1:5397); the time is dig's "Query time" for a cold
# query, and right after the answer one curl must get HTTP 200. Between runs the domain is destroyed
# with virsh and the script waits until Jitsu has logged the lifecycle event.
# Prints one line per run and the medians. Everything it starts is stopped by PID or destroyed by name.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly PROG=measure
# shellcheck source=lab/measure-lib.sh
source "$REPO/lab/measure-lib.sh"
readonly N=${1:-5}
readonly URI=qemu:///system
readonly GUEST=/var/lib/libvirt/jitsu-lab
readonly DNS_PORT=5397
readonly ALONE=lab-measure ALONE_LISTEN=127.0.6.1
readonly JITSU=lab-measurej JITSU_LISTEN=127.0.6.2
readonly PORT=8080

[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: lab/measure.sh [N]" >&2; exit 2; }
"$REPO/lab/lab.sh" status >/dev/null || { echo "measure: the lab is not up (./jitsu lab up)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/jitsu-measure.XXXXXX)
JITSU_PID=
cleanup() {
    stop_jitsu
    local d
    for d in "$ALONE" "$JITSU"; do
        virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
        virsh -q -c "$URI" undefine "$d" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

http_ok() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1:$PORT/" || true) == 200 ]]; }
shut_off() { [[ $(virsh -q -c "$URI" domstate "$1" 2>/dev/null) == "shut off" ]]; }

# The guest alone, defined from the same template.
sed -e "s|\${name}|measure|g; s|\${mac}|02:00:00:00:06:01|; s|\${memory}|128|; s|\${listen}|$ALONE_LISTEN|; \
s|\${port}|$PORT|; s|\${kernel}|$GUEST/vmlinuz|; s|\${initrd}|$GUEST/initrd.img|" \
    "$REPO/config/lab/qemu-guest.xml" >"$WORK/measure.xml"
virsh -q -c "$URI" destroy "$ALONE" >/dev/null 2>&1 || true
virsh -q -c "$URI" undefine "$ALONE" >/dev/null 2>&1 || true
virsh -q -c "$URI" define "$WORK/measure.xml" >/dev/null

# Jitsu, with a config like config/qemu-lab.yml.
virsh -q -c "$URI" destroy "$JITSU" >/dev/null 2>&1 || true
virsh -q -c "$URI" undefine "$JITSU" >/dev/null 2>&1 || true
write_jitsu_config measurej "$JITSU_LISTEN" "" "    idle-timeout: 1h"
start_jitsu

alone=() through=() booted=()
for ((i = 1; i <= N; i++)); do
    t0=$(now_ms)
    virsh -q -c "$URI" start "$ALONE" >/dev/null
    wait_for "http_ok $ALONE_LISTEN" 120
    t1=$(now_ms)
    alone+=($((t1 - t0)))
    virsh -q -c "$URI" destroy "$ALONE" >/dev/null
    wait_for "shut_off $ALONE" 60

    out=$(dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=130 measurej.example.test A)
    if ! grep -q 'status: NOERROR' <<<"$out" || ! grep -q "IN[[:space:]]*A[[:space:]]*$JITSU_LISTEN" <<<"$out"; then
        echo "measure: unexpected answer:" >&2
        echo "$out" >&2
        exit 1
    fi
    http_ok "$JITSU_LISTEN" || { echo "measure: no HTTP 200 right after the answer" >&2; exit 1; }
    through+=("$(sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p' <<<"$out")")
    booted+=("$(grep -c 'service measurej: booted in' "$WORK/jitsu.log")")
    virsh -q -c "$URI" destroy "$JITSU" >/dev/null
    wait_for "(( \$(grep -c 'VM $JITSU reported STOPPED' '$WORK/jitsu.log') >= $i ))" 60
    printf 'run %d: guest alone (virsh start -> HTTP 200) %5d ms   through Jitsu (dig query -> answer) %5d ms\n' \
        "$i" "${alone[-1]}" "${through[-1]}"
done

ma=$(median "${alone[@]}")
mt=$(median "${through[@]}")
echo "median of $N: guest alone $ma ms, through Jitsu $mt ms, difference $((${mt%.*} - ${ma%.*})) ms"
echo "Jitsu's own boot times (start + readiness, from its log):"
grep -o 'service measurej: booted in [0-9]* ms' "$WORK/jitsu.log" | sed 's/^/  /'
