#!/usr/bin/env bash
# Benchmark: 50 WebSocket clients of the feature-server personality
# receiving 60 Hz snapshots and every FFT frame (~94 Hz, 128 bins) while
# the analyzer hears a tone. Prints foh-web's CPU (its utime+stime over the
# run, % of one core) and the latency from the analyzer's OSC datagram to
# the WebSocket frame (p50/p99, see ws-bench.c) as a BENCH line. The client
# (ws-bench, libsoup, one GLib loop) shares the machine's cores: the figures include its
# scheduling.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

port=$(free_port)
an_conf "$FOH_SESSION/foh.conf" "$port" "fft = true" "send-fft = true"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
printf '[web]\nlisten = 127.0.0.1:0\nws-queue = 256\n[compat]\nfeature-server = true\n' >"$FOH_SESSION/foh-web.conf"
start_web --log-level info
start_tone tone 1000 -20
clients=${BENCH_CLIENTS:-50}
seconds=${BENCH_SECONDS:-10}
ticks() { awk '{ print $14 + $15 }' "/proc/$(pid_of foh-web)/stat"; }
hz=$(getconf CLK_TCK)
( sleep 2; ticks >"$FOH_SESSION/t0"; sleep "$seconds"; ticks >"$FOH_SESSION/t1" ) &
timer=$!
line=$("$WS_BENCH" "$clients" "$seconds" "$port") || fail "the bench client failed"
wait $timer
cpu=$(awk -v a="$(cat "$FOH_SESSION/t0")" -v b="$(cat "$FOH_SESSION/t1")" -v hz="$hz" -v s="$seconds" \
  'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }')
dropped=$(web_stat slow_clients_dropped)
echo "BENCH web_fanout $line foh_web_cpu_pct=$cpu slow_clients_dropped=$dropped loadavg=$(cut -d" " -f1 /proc/loadavg)"
