#!/usr/bin/env bash
# The release, installed and run as an operator would (part of ./jitsu test; needs root):
#   1. packaging/build.sh builds target/dist/jitsu-VERSION.tar.gz and jitsu_VERSION_all.deb
#      (--skip-maven: from the jars of the build that ran just before); the tarball is unpacked in a
#      temporary directory and `jitsu-*/bin/jitsu serve` run from another one (/), in a network
#      namespace: dig for www.example.test on 127.0.0.1:5353 and curl get the example's page;
#   2. apt-get installs it on this machine (its postinst adds the jitsu user and /var/lib/jitsu);
#   3. the unit's own ExecStartPre and ExecStart lines run as systemd would run them (systemd is not
#      running here): as User=jitsu, Group=jitsu, in WorkingDirectory, with AmbientCapabilities
#      (CAP_NET_BIND_SERVICE) and nothing else, through setpriv, in a network namespace of the
#      test's own with only lo, so that port 53 there is the test's;
#   4. checks: the server runs as jitsu with CAP_NET_BIND_SERVICE only, `dig @127.0.0.1
#      www.example.test` (port 53) answers 127.0.0.2 authoritatively, the busybox httpd it booted runs as
#      jitsu and serves the page, ExecReload's check passes and SIGHUP reloads;
#   5. removal keeps /var/lib/jitsu, purge deletes it; the user is deleted if this test created it.
# Everything it starts it stops by PID, also on failure; it refuses to run if a jitsu package is
# already installed (an operator's install is never touched).
#
#   packaging/test-release.sh [--skip-maven]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "test-release: FAIL: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || { echo "test-release: needs root (it installs the package and creates a network namespace)" >&2; exit 2; }
for tool in dpkg-deb apt-get setpriv ip dig curl env; do
    command -v "$tool" >/dev/null || fail "$tool missing"
done
if dpkg-query -W -f='${Status}' jitsu 2>/dev/null | grep -q 'ok installed'; then
    fail "a jitsu package is installed on this machine already; this test installs and purges its own"
fi

NS=jitsu-deb-$$
WORK=$(mktemp -d)
SERVER=""
user_existed=0
getent passwd jitsu >/dev/null && user_existed=1
cleanup() {
    if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    if dpkg-query -W -f='${Status}' jitsu 2>/dev/null | grep -q installed; then
        dpkg --purge jitsu >/dev/null 2>&1 || true
    fi
    if ((!user_existed)) && getent passwd jitsu >/dev/null; then
        userdel jitsu 2>/dev/null || true
        getent group jitsu >/dev/null && groupdel jitsu 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

packaging/build.sh "$@" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; fail "the build failed"; }
sed 's/^dist: /test-release: built /' "$WORK/build.log"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
# await_ready LOG WHAT: until $SERVER's admin API says ready (30 s at most); fails showing LOG when it
# exits or never gets there
await_ready() {
    local i
    for ((i = 0; i < 300; i++)); do
        in_ns curl -s --max-time 1 -o /dev/null http://127.0.0.1:8053/health/ready && return 0
        kill -0 "$SERVER" 2>/dev/null || { cat "$1" >&2; fail "$2 exited"; }
        sleep 0.1
    done
    cat "$1" >&2
    fail "$2 not ready in 30 s"
}

# The tarball, from any directory
tarball=$(ls target/dist/jitsu-*.tar.gz)
mkdir "$WORK/unpacked"
tar -xzf "$tarball" -C "$WORK/unpacked"
release=$(ls -d "$WORK"/unpacked/jitsu-*)
(cd / && exec ip netns exec "$NS" "$release/bin/jitsu" serve --stop-services-on-exit) >"$WORK/tar-server.log" 2>&1 &
SERVER=$!
await_ready "$WORK/tar-server.log" "the tarball's server"
tar_dig=$(in_ns dig @127.0.0.1 -p 5353 +tries=1 +time=15 +short www.example.test A)
[[ $tar_dig == 127.0.0.2 ]] || { cat "$WORK/tar-server.log" >&2; fail "the tarball's server answered: $tar_dig"; }
in_ns curl -s --max-time 5 http://127.0.0.2:8080/ | grep -q 'Jitsu' || fail "no page from the tarball's service"
[[ -d $release/run/local ]] || fail "the tarball's state-dir is not in the release's directory"
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""
echo "test-release: $(basename "$tarball") unpacked, bin/jitsu serve run from /: dig answered 127.0.0.2, curl got the page"

deb=$(ls target/dist/jitsu_*_all.deb)

apt-get install -y -q --no-install-recommends "./$deb" >"$WORK/apt.log" 2>&1 \
    || { cat "$WORK/apt.log" >&2; fail "apt-get install ./$deb failed"; }
getent passwd jitsu >/dev/null || fail "postinst made no jitsu user"
uid=$(id -u jitsu)
gid=$(id -g jitsu)
[[ $(stat -c '%U:%G %a' /var/lib/jitsu) == "jitsu:jitsu 750" ]] || fail "/var/lib/jitsu: $(stat -c '%U:%G %a' /var/lib/jitsu)"
[[ -f /etc/jitsu/jitsu.yml && -x /usr/bin/jitsu ]] || fail "no /etc/jitsu/jitsu.yml or /usr/bin/jitsu"
echo "test-release: installed; user jitsu ($uid:$gid), /var/lib/jitsu jitsu:jitsu 750"

# The unit, read as systemd reads it: one value per key (ExecReload twice)
unit=/lib/systemd/system/jitsu.service
key() { sed -n "s/^$1=//p" "$unit"; }
[[ $(key User) == jitsu && $(key Group) == jitsu ]] || fail "the unit does not run as jitsu:jitsu"
[[ $(key AmbientCapabilities) == CAP_NET_BIND_SERVICE ]] || fail "the unit's AmbientCapabilities: $(key AmbientCapabilities)"
workdir=$(key WorkingDirectory)
start_pre=$(key ExecStartPre)
start=$(key ExecStart)

# as systemd would: the user's ids and groups, the ambient capability alone (inheritable, ambient and
# bounding set), no new privileges, in the working directory
as_unit() {
    ip netns exec "$NS" setpriv --reuid=jitsu --regid=jitsu --init-groups --inh-caps=-all,+net_bind_service \
        --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service --no-new-privs \
        -- env -C "$workdir" "$@"
}
# shellcheck disable=SC2086 # the unit's command line, split as systemd splits it (no quotes in it)
as_unit $start_pre >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log" >&2; fail "ExecStartPre ($start_pre) failed"; }
# shellcheck disable=SC2086
as_unit $start >"$WORK/server.log" 2>&1 &
SERVER=$!

await_ready "$WORK/server.log" "the installed server"

java_pid=$(ip netns pids "$NS" | while read -r p; do
    [[ $(readlink "/proc/$p/exe") == */java ]] && echo "$p"
done | head -n 1)
[[ -n $java_pid ]] || fail "no java process in the namespace"
status=/proc/$java_pid/status
[[ $(awk '/^Uid:/ {print $3}' "$status") == "$uid" ]] || fail "the server's uid: $(grep '^Uid:' "$status")"
[[ $(awk '/^Gid:/ {print $3}' "$status") == "$gid" ]] || fail "the server's gid: $(grep '^Gid:' "$status")"
cap_eff=$(awk '/^CapEff:/ {print $2}' "$status")
cap_bnd=$(awk '/^CapBnd:/ {print $2}' "$status")
[[ $cap_eff == 0000000000000400 && $cap_bnd == 0000000000000400 ]] \
    || fail "the server's capabilities: CapEff $cap_eff CapBnd $cap_bnd (expected CAP_NET_BIND_SERVICE, 0x400, only)"
echo "test-release: the server (pid $java_pid) runs as jitsu, CapEff=CapBnd=0x400 (CAP_NET_BIND_SERVICE only)"

dig_out=$(in_ns dig @127.0.0.1 -p 53 +tries=1 +time=15 +norecurse www.example.test A)
grep -q 'status: NOERROR' <<<"$dig_out" || { echo "$dig_out" >&2; fail "dig: not NOERROR"; }
grep -q 'flags: qr aa' <<<"$dig_out" || { echo "$dig_out" >&2; fail "dig: not authoritative"; }
grep -Eq '^www\.example\.test\.\s+[0-9]+\s+IN\s+A\s+127\.0\.0\.2$' <<<"$dig_out" || { echo "$dig_out" >&2; fail "dig: no A 127.0.0.2"; }
echo "test-release: dig @127.0.0.1 (port 53) www.example.test: NOERROR, aa, A 127.0.0.2"

pidfile=/var/lib/jitsu/local/pids/www.pid
[[ -f $pidfile ]] || fail "no $pidfile"
httpd=$(awk '{print $1; exit}' "$pidfile") # PID START
[[ $(awk '/^Uid:/ {print $3}' "/proc/$httpd/status") == "$uid" ]] || fail "the httpd's uid: $(grep '^Uid:' "/proc/$httpd/status")"
page=$(in_ns curl -s --max-time 5 http://127.0.0.2:8080/)
grep -q 'Jitsu' <<<"$page" || fail "curl http://127.0.0.2:8080/: $page"
echo "test-release: the booted busybox httpd (pid $httpd) runs as jitsu and serves the page"

# ExecReload: the check, then SIGHUP
reload_check=$(sed -n 's/^ExecReload=//p' "$unit" | head -n 1)
# shellcheck disable=SC2086
as_unit $reload_check >"$WORK/reload.log" 2>&1 || { cat "$WORK/reload.log" >&2; fail "ExecReload's check failed"; }
kill -HUP "$java_pid"
for _ in $(seq 100); do grep -q 'INFO  DefaultOnDemandCore: reload: ' "$WORK/server.log" && break; sleep 0.1; done
grep -q 'SIGHUP: reloading the config' "$WORK/server.log" || { cat "$WORK/server.log" >&2; fail "SIGHUP not seen"; }
reloaded=$(grep 'DefaultOnDemandCore: reload: ' "$WORK/server.log" | head -n 1)
[[ -n $reloaded ]] || { cat "$WORK/server.log" >&2; fail "no reload after SIGHUP"; }
echo "test-release: ExecReload's check passed and SIGHUP reloaded (${reloaded#*INFO  })"

kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""
ip netns pids "$NS" | xargs -r kill 2>/dev/null || true # the httpd the server left running (by design)

dpkg -r jitsu >/dev/null
[[ -d /var/lib/jitsu ]] || fail "removal deleted /var/lib/jitsu"
dpkg --purge jitsu >/dev/null
[[ ! -e /var/lib/jitsu && ! -e /etc/jitsu ]] || fail "purge left /var/lib/jitsu or /etc/jitsu"
echo "test-release: removal kept /var/lib/jitsu, purge deleted it and /etc/jitsu"
echo "test-release: OK"
