#!/usr/bin/env bash
# The same-address handover (Synjitsu's ARP trick), measured on Linux: can a front hold a VM's own
# address while the VM boots and give it up once the VM answers, so that later connections reach the
# VM directly? Three network namespaces of this script's own (addresses only inside them): a host
# with a bridge, a client and a "VM" (a namespace whose interface comes up with the address at the
# move, serving busybox httpd). Before the move the host owns 10.77.0.2 on its bridge and a front
# listens there; the client opens a connection to it and sends a request. Then the address moves: the
# host deletes it, the VM adds it and brings its interface up, and (one variant) announces it with a
# gratuitous ARP. The script measures what the client sees:
#   - the connection the front held: its next bytes after the move (reset by the VM's kernel, which
#     never saw that connection, or lost while the client still sends them to the host);
#   - a new connection after the move: time to connect and get the page, SYN retransmissions (the
#     client namespace's TcpExtTCPSynRetrans), and where the client's neighbour entry points.
#
#   sudo lab/handover.sh          # both variants, with and without the gratuitous ARP (~1 min)
#
# Needs root (ip netns), iproute2, iputils-arping, busybox, python3. Everything it creates it deletes
# on exit, also on failure.
set -euo pipefail

readonly HOST=jh-host-$$ CLI=jh-cli-$$ VM=jh-vm-$$
readonly ADDR=10.77.0.2 PORT=80
WORK=$(mktemp -d)
readonly WORK

cleanup() {
    local ns
    for ns in "$HOST" "$CLI" "$VM"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in ip arping busybox python3 nstat; do
    command -v "$tool" >/dev/null || { echo "handover: $tool missing (apt-get install -y iproute2 iputils-arping busybox python3)" >&2; exit 2; }
done
[[ $EUID -eq 0 ]] || { echo "handover: needs root (ip netns)" >&2; exit 2; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# The client: connects to the address, sends a request, and waits for "move" on stdin; then it sends
# more on the held connection and reports what happened, and opens a new connection and reports that.
cat >"$WORK/client.py" <<'PY'
import socket, sys, time, subprocess
addr, port, ns = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def neigh():
    out = subprocess.run(["ip", "neigh", "show", addr], capture_output=True, text=True).stdout.split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else "none"
held = socket.create_connection((addr, port), timeout=2)
held.sendall(b"GET / HTTP/1.0\r\n\r\n")
print("held-connected neigh=%s" % neigh(), flush=True)
sys.stdin.readline()  # the move happened
t = time.monotonic()
held.settimeout(10)
try:
    held.sendall(b"more bytes on the held connection\r\n")
    data = held.recv(100)
    outcome = "data" if data else "closed"
except ConnectionResetError:
    outcome = "reset"
except socket.timeout:
    outcome = "no-answer-10s"
print("held-after-move outcome=%s after_ms=%.1f" % (outcome, (time.monotonic() - t) * 1000), flush=True)
t = time.monotonic()
try:
    c = socket.create_connection((addr, port), timeout=60)
    connect_ms = (time.monotonic() - t) * 1000
    c.sendall(b"GET / HTTP/1.0\r\n\r\n")
    page = c.recv(100).split(b"\r\n")[0].decode()
except OSError as e:
    connect_ms, page = (time.monotonic() - t) * 1000, "error " + type(e).__name__
print("new-after-move connect_ms=%.1f first_line=%r neigh=%s" % (connect_ms, page, neigh()), flush=True)
PY

# The front: accepts on the address and keeps its connections open until killed.
cat >"$WORK/front.py" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
print("listening", flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
PY

mac() { in_ns "$1" cat "/sys/class/net/$2/address"; }

run_variant() {
    local garp=$1
    ip netns add "$HOST"; ip netns add "$CLI"; ip netns add "$VM"
    in_ns "$HOST" ip link set lo up
    in_ns "$HOST" ip link add br0 type bridge
    in_ns "$HOST" ip link set br0 up
    in_ns "$HOST" ip addr add 10.77.0.1/24 dev br0
    ip -n "$HOST" link add cli-br type veth peer name eth0 netns "$CLI"
    ip -n "$HOST" link add vm-br type veth peer name eth0 netns "$VM"
    for port in cli-br vm-br; do
        in_ns "$HOST" ip link set "$port" master br0
        in_ns "$HOST" ip link set "$port" up
    done
    in_ns "$CLI" ip link set lo up
    in_ns "$CLI" ip addr add 10.77.0.100/24 dev eth0
    in_ns "$CLI" ip link set eth0 up
    in_ns "$VM" ip link set lo up
    mkdir -p "$WORK/www"; echo "the VM itself" >"$WORK/www/index.html"

    # Before the move: the host holds the VM's address and a front listens on it.
    in_ns "$HOST" ip addr add "$ADDR/32" dev br0
    ip netns exec "$HOST" python3 "$WORK/front.py" "$ADDR" "$PORT" >"$WORK/front.log" 2>&1 &
    local front=$!
    local tries=0
    until grep -q listening "$WORK/front.log" 2>/dev/null; do
        ((++tries < 100)) || { echo "handover: the front did not start: $(cat "$WORK/front.log")" >&2; exit 1; }
        sleep 0.05
    done
    local syn0
    syn0=$(in_ns "$CLI" nstat -asz TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ {print $2}')

    coproc CLIENT { in_ns "$CLI" python3 "$WORK/client.py" "$ADDR" "$PORT" "$CLI"; }
    local client=$CLIENT_PID # bash unsets CLIENT_PID once the coprocess ends
    local line
    read -r line <&"${CLIENT[0]}"
    echo "  before the move: $line (host bridge $(mac "$HOST" br0), VM $(mac "$VM" eth0))"

    # The move: the host gives the address up, the VM takes it and serves.
    in_ns "$HOST" ip addr del "$ADDR/32" dev br0
    in_ns "$VM" ip addr add "$ADDR/24" dev eth0
    in_ns "$VM" ip link set eth0 up
    ip netns exec "$VM" busybox httpd -f -p "$ADDR:$PORT" -h "$WORK/www" &
    local httpd=$!
    tries=0
    until in_ns "$VM" bash -c "exec 3<>/dev/tcp/$ADDR/$PORT" 2>/dev/null; do
        ((++tries < 250)) || { echo "handover: httpd in the VM namespace did not start" >&2; exit 1; }
        sleep 0.02
    done
    if ((garp)); then
        in_ns "$VM" arping -q -U -c 1 -I eth0 "$ADDR" || true
    fi
    echo >&"${CLIENT[1]}"
    while read -r line <&"${CLIENT[0]}"; do
        echo "  after the move: $line"
    done
    wait "$client" 2>/dev/null || true
    local syn1
    syn1=$(in_ns "$CLI" nstat -asz TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ {print $2}')
    echo "  SYN retransmissions by the client: $((syn1 - syn0))"
    kill "$front" "$httpd" 2>/dev/null || true # ip netns exec ran them in its own process: these PIDs
    wait "$front" "$httpd" 2>/dev/null || true
    local ns
    for ns in "$HOST" "$CLI" "$VM"; do
        ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
        ip netns del "$ns"
    done
}

echo "variant 1: the VM announces its address with a gratuitous ARP (arping -U) once it serves"
run_variant 1
echo "variant 2: no announcement (the client learns the new owner when its neighbour entry expires)"
run_variant 0
