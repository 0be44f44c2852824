#!/usr/bin/env bash
# Shared by lab/measure.sh and lab/resume.sh (sourced, not run): timing, waiting for a condition with
# a deadline, and a Jitsu on the lab's libvirtd serving one templated QEMU guest.
# The sourcing script sets PROG (its name, for messages), REPO, URI, GUEST, DNS_PORT, PORT and WORK.

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for CONDITION SECONDS: evaluates CONDITION until it succeeds, at most SECONDS long.
wait_for() {
    local what=$1 limit=$2 deadline
    deadline=$(($(now_ms) + limit * 1000))
    until eval "$what"; do
        (($(now_ms) < deadline)) || { echo "$PROG: timed out waiting for: $what" >&2; exit 1; }
        sleep 0.02
    done
}

# median N...: the median of the numbers.
median() {
    printf '%s\n' "$@" | sort -n \
        | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# write_jitsu_config ID LISTEN EXTRA_TOP EXTRA_SERVICE: $WORK/jitsu.yml with one service ID, name
# ID.example.test, its guest forwarded to LISTEN:$PORT, like config/qemu-lab.yml; EXTRA_TOP and
# EXTRA_SERVICE are YAML lines added at the top level and to the service. The guest is the Debian one
# ($GUEST/vmlinuz, initrd.img) unless KERNEL and INITRD name another.
write_jitsu_config() {
    local id=$1 listen=$2 extra_top=$3 extra_service=$4
    cat >"$WORK/jitsu.yml" <<YAML
listen: {addresses: [127.0.0.1], port: $DNS_PORT}
zones:
  - name: example.test
    nameservers: [ns1.example.test]
    hosts: {ns1.example.test: [127.0.0.1]}
$extra_top
state-dir: $WORK/run
backends:
  lab: {type: libvirt, uri: "$URI"}
services:
  - id: $id
    names: [$id.example.test]
    addresses: [$listen]
    backend: lab
    libvirt:
      template: $REPO/config/lab/qemu-guest.xml
      vars: {memory: 128, listen: $listen, port: $PORT, kernel: ${KERNEL:-$GUEST/vmlinuz}, initrd: ${INITRD:-$GUEST/initrd.img}}
    readiness:
      - backend: running
      - http: http://$listen:$PORT/
    boot-timeout: 120s
$extra_service
YAML
}

# start_jitsu: ./jitsu serve of $WORK/jitsu.yml in the background (JITSU_PID), until it listens.
start_jitsu() {
    "$REPO/jitsu" serve --config "$WORK/jitsu.yml" >"$WORK/jitsu.log" 2>&1 &
    JITSU_PID=$!
    wait_for "grep -q 'listening on' '$WORK/jitsu.log' || ! kill -0 $JITSU_PID 2>/dev/null" 300
    kill -0 "$JITSU_PID" 2>/dev/null || { cat "$WORK/jitsu.log" >&2; exit 1; }
}

# stop_jitsu: stops the Jitsu that start_jitsu started, by its PID.
stop_jitsu() {
    if [[ -n ${JITSU_PID:-} ]] && kill -0 "$JITSU_PID" 2>/dev/null; then
        kill -TERM "$JITSU_PID"
        wait "$JITSU_PID" 2>/dev/null || true
    fi
}
