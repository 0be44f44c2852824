#!/usr/bin/env bash
# The warm-path cost measurement of docs/operating.md ("What the metrics cost"), one run:
#   config/metrics-cost.sh false   # metrics.enabled: false (no-op metrics)
#   config/metrics-cost.sh true    # Micrometer + Prometheus registry
# Run from the repository root after a build (./jitsu check builds). Server JVM pinned to CPU 1,
# dnsperf to CPU 0; 10 s warm-up, then 20 s measured with the same one-line query file.
set -euo pipefail
mode=${1:-}
[[ $mode == true || $mode == false ]] || { echo "usage: $0 true|false" >&2; exit 2; }
sed "s/enabled: true/enabled: $mode/" config/metrics-cost.yml > /tmp/metrics-cost-$mode.yml
printf 'www.bench.test A\n' > /tmp/metrics-cost-queries.txt
cp="jitsu-xen/target/classes:jitsu-server/target/classes:$(cat jitsu-server/target/classpath.txt)"
taskset -c 1 java -cp "$cp" org.jitsu.server.cli.Main serve --config /tmp/metrics-cost-$mode.yml \
    --stop-services-on-exit 2>/tmp/metrics-cost-server-$mode.log &
pid=$!
for _ in $(seq 200); do curl -sf http://127.0.0.1:8054/health/ready >/dev/null && break; sleep 0.1; done
dig @127.0.0.1 -p 5399 +short www.bench.test A                      # boots the service once
taskset -c 0 dnsperf -s 127.0.0.1 -p 5399 -d /tmp/metrics-cost-queries.txt -l 10 >/dev/null   # warm-up (JIT)
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }     # server CPU time (user + system), clock ticks
c0=$(cpu)
out=$(taskset -c 0 dnsperf -s 127.0.0.1 -p 5399 -d /tmp/metrics-cost-queries.txt -l 20)
c1=$(cpu)
echo "$out" | grep -E 'Queries (completed|lost)|Queries per second|Average Latency'
n=$(echo "$out" | awk '/Queries completed/ {print $3}')
echo "server CPU per query: $(echo "scale=2; ($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / $n" | bc) us (load: $(cut -d' ' -f1 /proc/loadavg))"
curl -sf http://127.0.0.1:8054/metrics | grep -E '^jitsu_dns_query_duration_seconds_count' || echo "metrics: 404 (disabled)"
kill -TERM $pid; wait $pid || true
