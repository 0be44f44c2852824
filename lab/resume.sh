#!/usr/bin/env bash
# Measures, on the QEMU lab, the query-to-answer time of a guest that Jitsu stopped with stop mode
# MODE (suspend: paused in memory, resumed by the query; save: libvirt managed save to disk, restored by
# the query; destroy: booted afresh), next to the first, cold boot.
#
#   ./jitsu lab up && lab/resume.sh suspend|save|destroy [N]     # N stop/query cycles (default 5)
#
# Runs `./jitsu serve` (DNS on 127.0.0.1:5396, service resume, domain lab-resume forwarded to
# 127.0.6.3:8080, idle timeout 3 s, idle check every 200 ms). Each cycle waits until Jitsu has logged
# the idle stop, then times one dig (dig's "Query time") and checks that one curl right after the answer
# gets HTTP 200, and whether the guest was resumed (same boot id on its page) or booted afresh. Everything it starts is stopped by PID or destroyed by name.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly PROG=resume
# shellcheck source=lab/measure-lib.sh
source "$REPO/lab/measure-lib.sh"
readonly REPO
readonly MODE=${1:-} N=${2:-5}
readonly URI=qemu:///system GUEST=/var/lib/libvirt/jitsu-lab DNS_PORT=5396
readonly DOMAIN=lab-resume LISTEN=127.0.6.3 PORT=8080

[[ $MODE =~ ^(suspend|save|destroy)$ && $N =~ ^[1-9][0-9]*$ ]] \
    || { echo "usage: lab/resume.sh suspend|save|destroy [N]" >&2; exit 2; }
"$REPO/lab/lab.sh" status >/dev/null || { echo "resume: the lab is not up (./jitsu lab up)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/jitsu-resume.XXXXXX)
JITSU_PID=
cleanup() {
    stop_jitsu
    virsh -q -c "$URI" destroy "$DOMAIN" >/dev/null 2>&1 || true
    virsh -q -c "$URI" undefine "$DOMAIN" --managed-save >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# One query; prints dig's query time after checking the answer and the guest's HTTP.
query_ms() {
    local out
    out=$(dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=130 resume.example.test A)
    if ! grep -q 'status: NOERROR' <<<"$out" || ! grep -q "IN[[:space:]]*A[[:space:]]*$LISTEN" <<<"$out"; then
        echo "resume: unexpected answer:" >&2
        echo "$out" >&2
        exit 1
    fi
    [[ $(curl -s -o "$WORK/page" -w '%{http_code}' --max-time 5 "http://$LISTEN:$PORT/") == 200 ]] \
        || { echo "resume: no HTTP 200 right after the answer" >&2; exit 1; }
    sed -n 's/^;; Query time: \([0-9]*\) msec$/\1/p' <<<"$out"
}

virsh -q -c "$URI" destroy "$DOMAIN" >/dev/null 2>&1 || true
virsh -q -c "$URI" undefine "$DOMAIN" --managed-save >/dev/null 2>&1 || true
write_jitsu_config resume "$LISTEN" "idle: {check-interval: 200ms}" "    idle-timeout: 3s
    stop: {mode: $MODE}"
start_jitsu

# The guest's page carries its kernel's boot id: the same id after a stop means it was resumed, not booted.
boot_id() { sed -n 's/.*boot id \([0-9a-f-]*\).*/\1/p' "$WORK/page"; }

echo "cold boot: $(query_ms) ms (guest boot id $(boot_id))"
first=$(boot_id)
times=()
for ((i = 1; i <= N; i++)); do
    wait_for "(( \$(grep -c 'service resume: stopped ($MODE, idle' '$WORK/jitsu.log') >= $i ))" 60
    state=$(virsh -q -c "$URI" domstate "$DOMAIN")
    times+=("$(query_ms)")
    if [[ $(boot_id) == "$first" ]]; then same="same boot, resumed"; else same="booted afresh"; fi
    echo "after stop $i ($MODE; the domain was $state): query -> answer ${times[-1]} ms ($same)"
done
printf '%s\n' "${times[@]}" | sort -n \
    | awk -v mode="$MODE" -v n="$N" '{v[NR] = $1} END {printf "median of %d after %s: %s ms\n", n, mode, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
grep -oE "service resume: stopped \(${MODE}[^)]*\) in [0-9]+ ms" "$WORK/jitsu.log" | sed 's/^/  /'
