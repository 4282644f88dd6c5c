#!/usr/bin/env bash
# Benchmark: fohd's CPU with 1, 16 and 64 stereo channels (default strips:
# compressor and limiter on) at quanta 128 and 1024. For each channel count
# fohd starts afresh; a -20 dBFS tone plays into up to four channels, the
# rest run on silence, and every channel's streams are linked and running
# before anything is measured. For each quantum, after 5 s to settle, fohd's
# process CPU time (utime + stime of all its threads, /proc/PID/stat) over a
# 5 s window gives cpu_pct, in percent of one core; cpu_load is the mean of
# fohd's own CpuLoad (its process callbacks' share of the cycle) read once a
# second in the window, and xruns the change of its Xruns in the window.
# Prints one line per case and asserts nothing about speed:
#   BENCH channels=N quantum=Q cpu_pct=X cpu_load=Y xruns=Z
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"

settle=5
window=5
hz=$(getconf CLK_TCK)

measure() {
  local n=$1 q=$2 pid t0 t1 c0 c1 x0 x1 i left loads=()
  pid=$(pid_of fohd)
  force_quantum "$q"
  foh_nodes_running "$n" || fail "not all $n channels run at quantum $q"
  sleep "$settle"
  x0=$(prop Xruns)
  c0=$(cpu_ticks "$pid") || fail "cannot read fohd's CPU time"
  t0=$(now_ns)
  for i in $(seq 1 "$window"); do
    left=$(( t0 + i * 1000000000 - $(now_ns) ))
    [ "$left" -gt 0 ] && sleep "$(( left / 1000000000 )).$(printf %09d $(( left % 1000000000 )))"
    loads+=("$(prop CpuLoad)")
  done
  c1=$(cpu_ticks "$pid") || fail "cannot read fohd's CPU time"
  t1=$(now_ns)
  x1=$(prop Xruns)
  alive fohd || fail "fohd died with $n channels at quantum $q"
  python3 - "$n" "$q" "$c0" "$c1" "$t0" "$t1" "$hz" "$(( x1 - x0 ))" "${loads[@]}" <<'PY'
import sys
n, q, c0, c1, t0, t1, hz, xruns = map(int, sys.argv[1:9])
loads = [float(x) for x in sys.argv[9:]]
pct = (c1 - c0) / hz / ((t1 - t0) / 1e9) * 100
print(f"BENCH channels={n} quantum={q} cpu_pct={pct:.2f} "
      f"cpu_load={sum(loads) / len(loads):.4f} xruns={xruns}", flush=True)
PY
}

for n in 1 16 64; do
  graph_conf "$FOH_SESSION/foh.conf" "$n"
  start_fohd --config "$FOH_SESSION/foh.conf"
  force_quantum 1024
  wait_for 30 foh_nodes_running "$n" || fail "not all $n channels run in the graph"
  toned=()
  for c in 1 5 9 13; do
    [ "$c" -le "$n" ] && toned+=("$c")
  done
  start_tones tone -20 "${toned[@]}"
  for q in 128 1024; do
    measure "$n" "$q"
  done
  stop tone
  stop fohd || fail "fohd exited with status $? on SIGTERM"
done
