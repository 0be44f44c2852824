#!/usr/bin/env bash
# Measures, on the QEMU lab, how long a query for a cold QEMU guest takes to be answered by Jitsu, next
# to how long the guest itself takes from `virsh start` to its first HTTP 200, for both lab guests:
# the fast one (a kernel built from Debian's linux-source with lab/fast-guest.config) and the Debian
# one (the cloud kernel, the "ordinary VM"). Jitsu's overhead is the difference. Runs alternate (guest
# alone, then through Jitsu) so that both see the same machine load; the fast guest's runs come first.
#
#   ./jitsu lab up && lab/measure.sh [N]      # N runs of each, per guest (default 10)
#
# Guest alone: `virsh start` of a domain defined from config/lab/qemu-guest.xml (forwarded to
# 127.0.6.x:8080), then curl (100 ms bound each) every 20 ms until HTTP 200; the time is taken
# around both (date +%s%N).
# Through Jitsu: `./jitsu serve` with a config like config/qemu-lab.yml (DNS on 127.0.0.1:5397); the
# time is dig's "Query time" for a cold query, and right after the answer one curl must get HTTP 200.
# Between runs the domain is destroyed with virsh and the script waits until Jitsu has logged the
# lifecycle event. Prints one line per run, the medians per guest, and a table of both.
# Everything it starts is stopped by PID or destroyed by name.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly PROG=measure
# shellcheck source=lab/measure-lib.sh
source "$REPO/lab/measure-lib.sh"
readonly N=${1:-10}
readonly URI=qemu:///system
readonly GUEST=/var/lib/libvirt/jitsu-lab
readonly DNS_PORT=5397
readonly PORT=8080

[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: lab/measure.sh [N]" >&2; exit 2; }
"$REPO/lab/lab.sh" status >/dev/null || { echo "measure: the lab is not up (./jitsu lab up)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/jitsu-measure.XXXXXX)
JITSU_PID=
DOMAINS=()
cleanup() {
    stop_jitsu
    local d
    for d in "${DOMAINS[@]}"; do
        virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
        virsh -q -c "$URI" undefine "$d" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# curl bounded at 100 ms: QEMU's user-mode forwarder accepts before the guest listens and holds such
# a request; an unbounded one would wait out any timeout and hide when the guest came up.
http_ok() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 0.1 "http://$1:$PORT/" || true) == 200 ]]; }
shut_off() { [[ $(virsh -q -c "$URI" domstate "$1" 2>/dev/null) == "shut off" ]]; }

# measure LABEL ID KERNEL INITRD ALONE_LISTEN JITSU_LISTEN: N rounds of one guest; sets MEDIAN_ALONE, MEDIAN_JITSU
measure() {
    local label=$1 id=$2 kernel=$3 initrd=$4 alone_listen=$5 jitsu_listen=$6
    local alone=lab-$id jitsu=lab-${id}j
    DOMAINS+=("$alone" "$jitsu")
    # The guest alone, defined from the same template.
    sed -e "s|\${name}|$id|g; s|\${mac}|02:00:00:00:06:0${alone_listen##*.}|; s|\${memory}|128|; \
s|\${listen}|$alone_listen|; s|\${port}|$PORT|; s|\${kernel}|$kernel|; s|\${initrd}|$initrd|" \
        "$REPO/config/lab/qemu-guest.xml" >"$WORK/$id.xml"
    local d
    for d in "$alone" "$jitsu"; do
        virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
        virsh -q -c "$URI" undefine "$d" >/dev/null 2>&1 || true
    done
    virsh -q -c "$URI" define "$WORK/$id.xml" >/dev/null

    # Jitsu, with a config like config/qemu-lab.yml.
    KERNEL=$kernel INITRD=$initrd write_jitsu_config "${id}j" "$jitsu_listen" "" "    idle-timeout: 1h"
    start_jitsu

    local alone_ms=() through=() i t0 t1 out
    for ((i = 1; i <= N; i++)); do
        t0=$(now_ms)
        virsh -q -c "$URI" start "$alone" >/dev/null
        wait_for "http_ok $alone_listen" 120
        t1=$(now_ms)
        alone_ms+=($((t1 - t0)))
        virsh -q -c "$URI" destroy "$alone" >/dev/null
        wait_for "shut_off $alone" 60

        out=$(dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=130 "${id}j.example.test" A)
        if ! grep -q 'status: NOERROR' <<<"$out" || ! grep -q "IN[[:space:]]*A[[:space:]]*$jitsu_listen" <<<"$out"; then
            echo "measure: unexpected answer:" >&2
            echo "$out" >&2
            exit 1
        fi
        http_ok "$jitsu_listen" || { echo "measure: no HTTP 200 right after the answer" >&2; exit 1; }
        through+=("$(sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p' <<<"$out")")
        virsh -q -c "$URI" destroy "$jitsu" >/dev/null
        wait_for "(( \$(grep -c 'VM $jitsu reported STOPPED' '$WORK/jitsu.log') >= $i ))" 60
        printf '%s run %2d: guest alone (virsh start -> HTTP 200) %5d ms   through Jitsu (dig query -> answer) %5d ms\n' \
            "$label" "$i" "${alone_ms[-1]}" "${through[-1]}"
    done
    echo "$label: Jitsu's own boot times (start + readiness, from its log):" \
        "$(grep -o "service ${id}j: booted in [0-9]* ms" "$WORK/jitsu.log" | grep -o '[0-9]* ms' | tr '\n' ' ')"
    stop_jitsu
    JITSU_PID=
    MEDIAN_ALONE=$(median "${alone_ms[@]}")
    MEDIAN_JITSU=$(median "${through[@]}")
    echo "$label: median of $N: guest alone $MEDIAN_ALONE ms, through Jitsu $MEDIAN_JITSU ms," \
        "difference $((${MEDIAN_JITSU%.*} - ${MEDIAN_ALONE%.*})) ms"
}

measure fast measuref "$GUEST/fast-vmlinuz" "$GUEST/fast-initrd.img" 127.0.6.3 127.0.6.4
fast_alone=$MEDIAN_ALONE fast_jitsu=$MEDIAN_JITSU
measure debian measure "$GUEST/vmlinuz" "$GUEST/initrd.img" 127.0.6.1 127.0.6.2
debian_alone=$MEDIAN_ALONE debian_jitsu=$MEDIAN_JITSU

echo
echo "| guest ($N rounds each) | guest alone, virsh start -> HTTP 200, median | through Jitsu, dig query -> answer, median | Jitsu's overhead |"
echo "|---|---:|---:|---:|"
printf '| fast: %s | %s ms | %s ms | %d ms |\n' "$(<"$GUEST/fast-kernel-version")" "$fast_alone" "$fast_jitsu" \
    $((${fast_jitsu%.*} - ${fast_alone%.*}))
printf '| Debian: %s | %s ms | %s ms | %d ms |\n' "$(<"$GUEST/kernel-version")" "$debian_alone" "$debian_jitsu" \
    $((${debian_jitsu%.*} - ${debian_alone%.*}))
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
