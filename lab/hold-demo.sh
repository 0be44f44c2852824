#!/usr/bin/env bash
# config/hold.yml as a user runs it: `./jitsu serve --config config/hold.yml`, then one kdig for the
# stopped service www.example.test (answer: at-once) and, right after, curl to the address it gave.
# Prints the cold answer's time beside warm answers' of the same run (each after the same 200 ms
# pause, and back to back), curl's connect and first-byte times, and the kernel's TCP counters over
# the curl (SYN retransmissions, listen overflows and drops, retransmitted segments).
#
#   lab/hold-demo.sh              # ~30 s after the build
#
# As root it runs the server and the clients in a network namespace of its own with only lo, so the
# counters are theirs alone; otherwise they are the host's. Needs kdig (knot-dnsutils), curl,
# busybox, nstat (iproute2). Stops the server it started (by PID) and deletes the namespace on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in kdig curl busybox nstat python3; do
    command -v "$tool" >/dev/null || { echo "hold-demo: $tool missing (apt-get install -y knot-dnsutils curl busybox iproute2 python3)" >&2; exit 2; }
done

NS=""
WORK=$(mktemp -d)
SERVER=""
cleanup() {
    if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    if [[ -n $NS ]]; then
        ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$NS" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

run() { if [[ -n $NS ]]; then ip netns exec "$NS" "$@"; else "$@"; fi; }
if [[ $EUID -eq 0 ]] && command -v ip >/dev/null; then
    NS=jitsu-hold-$$
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    where="a network namespace with only lo (counters of this run alone)"
else
    where="the host's network stack (the counters are the host's)"
fi

./jitsu check --config config/hold.yml >/dev/null # builds when needed, and checks the file
run ./jitsu serve --config config/hold.yml --stop-services-on-exit >"$WORK/server.log" 2>&1 &
SERVER=$!

state() {
    run curl -s --max-time 1 http://127.0.0.1:8053/api/services | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["id"] == "www":
        print(s["state"])' 2>/dev/null || true
}
for _ in $(seq 600); do
    now=$(state)
    [[ $now == STOPPED ]] && break
    if [[ $now == RUNNING ]]; then # left running by an earlier server with this state-dir: stop it first
        run curl -s --max-time 30 -X POST http://127.0.0.1:8053/api/services/www/stop >/dev/null || true
    fi
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "hold-demo: the server exited" >&2; exit 1; }
    sleep 0.1
done
[[ $(state) == STOPPED ]] || { tail -20 "$WORK/server.log" >&2; echo "hold-demo: www never seen STOPPED" >&2; exit 1; }

# kdig's "in X ms" of one A query; the answer's first address on stdout's second field
query() {
    run kdig @127.0.0.1 -p 5353 +retry=0 +time=5 www.example.test A >"$WORK/kdig.out"
    local ms addr
    ms=$(sed -n 's/^;; From .* in \([0-9.]*\) ms$/\1/p' "$WORK/kdig.out")
    addr=$(awk '$1 == "www.example.test." && $4 == "A" {print $5; exit}' "$WORK/kdig.out")
    echo "$ms $addr"
}
counters() {
    run nstat -az TcpExtTCPSynRetrans TcpExtListenOverflows TcpExtListenDrops TcpRetransSegs 2>/dev/null \
        | awk '$1 !~ /^#/ {printf "%s=%s ", $1, $2}'
}

# the server's DNS path is new to the JIT: 300 queries for another name first, so that the cold
# query and the warm ones below meet the same compiled code, all but what only a cold query runs
for _ in $(seq 300); do
    run kdig @127.0.0.1 -p 5353 +retry=0 +time=5 ns1.example.test A >/dev/null
done
# ROUNDS cold starts: each waits until www is STOPPED (the admin API's stop), pauses 200 ms, asks once
# and curls the answer at once
ROUNDS=${ROUNDS:-5}
colds=()
firsts=()
codes=()
before=$(counters)
for round in $(seq "$ROUNDS"); do
    if ((round > 1)); then
        run curl -s --max-time 30 -X POST http://127.0.0.1:8053/api/services/www/stop >/dev/null
        for _ in $(seq 300); do [[ $(state) == STOPPED ]] && break; sleep 0.1; done
        [[ $(state) == STOPPED ]] || { echo "hold-demo: www did not stop" >&2; exit 1; }
    fi
    sleep 0.2
    read -r cold_ms front < <(query)
    [[ -n $front ]] || { cat "$WORK/kdig.out" >&2; echo "hold-demo: no address in the answer" >&2; exit 1; }
    curl_out=$(run curl -sS --noproxy '*' --max-time 20 -o "$WORK/page" \
        -w '%{http_code} %{time_connect} %{time_starttransfer}' "http://$front:8080/")
    read -r code connect first <<<"$curl_out"
    colds+=("$cold_ms")
    firsts+=("$connect/$first")
    codes+=("$code")
done
after=$(counters)

[[ $(state) == RUNNING ]] || { echo "hold-demo: www is not RUNNING after the curl" >&2; exit 1; }
paused=()
for _ in $(seq 20); do
    sleep 0.2
    read -r ms warm_addr < <(query)
    paused+=("$ms")
done
back=()
for _ in $(seq 200); do
    read -r ms warm_addr < <(query)
    back+=("$ms")
done

python3 - "$front" "$warm_addr" "$before" "$after" "$where" "${colds[*]}" "${firsts[*]}" "${codes[*]}" \
    "${paused[*]}" "${back[*]}" "$(wc -c <"$WORK/page")" <<'PY'
import statistics, sys
(front, warm_addr, before, after, where, colds, firsts, codes, paused, back, page) = sys.argv[1:]
def parse(s):
    return {k: int(v) for k, v in (p.split("=") for p in s.split())}
b, a = parse(before), parse(after)
colds = [float(x) for x in colds.split()]
firsts = [tuple(float(v) * 1000 for v in f.split("/")) for f in firsts.split()]
paused = [float(x) for x in paused.split()]
back = [float(x) for x in back.split()]
p_med, b_med = statistics.median(paused), statistics.median(back)
later = colds[1:] or colds
c_med = statistics.median(later)
print(f"where: {where}")
print(f"cold queries (www stopped, answer: at-once), answered {front} (the front): "
      + ", ".join(f"{c:.2f}" for c in colds) + f" ms; the first is the new server's first boot, "
      f"p50 of the rest {c_med:.2f} ms")
print(f"curl http://{front}:8080/ right after each: HTTP {' '.join(sorted(set(codes.split())))}, {page} bytes, "
      "connect " + ", ".join(f"{c:.2f}" for c, _ in firsts) + " ms, first byte "
      + ", ".join(f"{f:.0f}" for _, f in firsts) + " ms (the 3 s readiness delay and the boot)")
print("kernel counters over the rounds: " + ", ".join(f"{k} +{a[k] - b[k]}" for k in sorted(a)))
print(f"warm queries (www running, answered {warm_addr}): after a 200 ms pause p50 {p_med:.2f} ms (20), "
      f"back to back p50 {b_med:.2f} ms (200)")
print(f"cold p50 / warm p50: {c_med / p_med:.1f} (after the same pause), {c_med / b_med:.1f} (back to back)")
PY
