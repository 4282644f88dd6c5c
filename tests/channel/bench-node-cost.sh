#!/usr/bin/env bash
# Benchmark: what a channel's nodes cost, apart from its DSP — the measure
# behind issue 14's "fewer nodes per channel". node-cost runs N stereo
# channels that only copy, built three ways (see node-cost.c): "streams"
# (today's channel: a capture and a triggered playback pw_stream, two nodes,
# linked by WirePlumber), "filter" (one pw_filter node per channel with
# input and output ports, linked by fohd's link manager, src/graph/links.c)
# and "shared" (one pw_filter node with the ports of all N channels, linked
# the same way). All take the monitor of
# a null sink prog-sink playing a -20 dBFS 1 kHz sine and play into a null
# sink bars-sink. For N = 4, 16 and 64 (FOH_NODE_COST_N overrides), each
# design runs alone, and once all its nodes run, at quanta 128 and 256 after
# 2 s the CPU time of the node-cost process (utime + stime of all threads)
# over a 4 s window gives
#   BENCH nodes design=D channels=N quantum=Q pct=X per_channel_pct=X/N
# in percent of one core. Asserts nothing about speed.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"

hz=$(getconf CLK_TCK)

count_is() {
  [ "$(running_count "$1")" -eq "$2" ]
}

# links_are N: every channel's 4 links (2 in, 2 out) to node-cost's nodes.
links_are() {
  [ "$(pw-link -l 2>/dev/null | awk '/^[^ ]/ { p = $0 } /\|->/ { print p " " $2 }' \
    | grep -c node-cost)" -eq $(( 4 * $1 )) ]
}

null_sink prog-sink
null_sink bars-sink
spawn prog "$TONE_PLAY" --hz 1000 --dbfs -20 prog-sink
wait_for 10 nodes_running foh-tone.prog-sink || fail "the programme does not play"

for n in ${FOH_NODE_COST_N:-4 16 64}; do
  for design in streams filter shared; do
    spawn cost "$NODE_COST" "$design" "$n" prog-sink bars-sink
    case $design in
      streams) want=$(( 2 * n )) ;;
      filter) want=$n ;;
      shared) want=1 ;;
    esac
    wait_for 60 count_is node-cost. "$want" \
      || fail "$design: $(running_count node-cost.) of $want nodes run"
    wait_for 30 links_are "$n" || fail "$design: not all of the $(( 4 * n )) links are made"
    pid=$(pid_of cost)
    for q in 128 256; do
      pw-metadata -n settings 0 clock.force-quantum "$q" >/dev/null \
        || fail "cannot force the quantum to $q"
      sleep 2
      c0=$(cpu_ticks "$pid") || fail "cannot read the CPU time"
      t0=$(now_ns)
      sleep 4
      c1=$(cpu_ticks "$pid") || fail "cannot read the CPU time"
      t1=$(now_ns)
      python3 - "$design" "$n" "$q" "$c0" "$c1" "$t0" "$t1" "$hz" <<'PY'
import sys
d = sys.argv[1]
n, q, c0, c1, t0, t1, hz = map(int, sys.argv[2:])
pct = (c1 - c0) / hz / ((t1 - t0) / 1e9) * 100
print(f"BENCH nodes design={d} channels={n} quantum={q} pct={pct:.2f} "
      f"per_channel_pct={pct / n:.3f}", flush=True)
PY
    done
    stop cost || fail "node-cost exited with status $?"
  done
done
pw-metadata -n settings 0 clock.force-quantum 0 >/dev/null
stop prog
