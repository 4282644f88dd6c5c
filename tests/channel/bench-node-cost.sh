#!/usr/bin/env bash
# Benchmark: what a channel's nodes cost, apart from its DSP — the measure
# behind issue 14's "fewer nodes per channel". node-cost runs N stereo
# channels that only copy, built three ways (see node-cost.c): "streams"
# (today's channel: a capture and a triggered playback pw_stream, two nodes,
# linked by WirePlumber), "filter" (one pw_filter node per channel with
# input and output ports, linked by fohd's link manager, src/graph/links.c)
# "shared" (one pw_filter node with the ports of all N channels, linked
# the same way) and "server" (per channel the pw_filter node between two
# in-server null nodes, a sink node-cost.chI.capture and a virtual source
# node-cost.chI.playback, as fohd would keep a channel's names for streams
# that target or capture it; the null nodes run in PipeWire's own thread)
# and "server-sink" (only the null sink in front: a channel that is a
# virtual sink, its output linked straight to the sink).
# All take the monitor of
# a null sink prog-sink playing a -20 dBFS 1 kHz sine and play into a null
# sink bars-sink. For N = 4, 16 and 64 (FOH_NODE_COST_N overrides), each
# design runs alone, and once all its nodes run, at quanta 128 and 256 after
# 2 s the CPU time of the node-cost process (utime + stime of all threads)
# over a 4 s window, and of the pipewire daemon over the same window, give
#   BENCH nodes design=D channels=N quantum=Q pct=X per_channel_pct=X/N
#     pipewire_pct=P total_pct=X+P
# in percent of one core (pipewire_pct includes the programme's and the
# sinks' share, the same for every design). Asserts nothing about speed.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"

hz=$(getconf CLK_TCK)

count_is() {
  [ "$(running_count "$1")" -eq "$2" ]
}

# links_are N: N links to or from node-cost's nodes.
links_are() {
  [ "$(pw-link -l 2>/dev/null | awk '/^[^ ]/ { p = $0 } /\|->/ { print p " " $2 }' \
    | grep -c node-cost)" -eq "$1" ]
}

null_sink prog-sink
null_sink bars-sink
spawn prog "$TONE_PLAY" --hz 1000 --dbfs -20 prog-sink
wait_for 10 nodes_running foh-tone.prog-sink || fail "the programme does not play"

for n in ${FOH_NODE_COST_N:-4 16 64}; do
  for design in ${FOH_NODE_COST_DESIGNS:-streams filter shared server server-sink}; do
    spawn cost "$NODE_COST" "$design" "$n" prog-sink bars-sink
    case $design in
      streams) want=$(( 2 * n )) ;;
      filter) want=$n ;;
      shared) want=1 ;;
      server) want=$(( 3 * n )) ;;
      server-sink) want=$(( 2 * n )) ;;
    esac
    case $design in
      server) nlinks=$(( 8 * n )) ;;
      server-sink) nlinks=$(( 6 * n )) ;;
      *) nlinks=$(( 4 * n )) ;;
    esac
    wait_for 60 count_is node-cost. "$want" \
      || fail "$design: $(running_count node-cost.) of $want nodes run"
    wait_for 30 links_are "$nlinks" || fail "$design: not all of the $nlinks links are made"
    pid=$(pid_of cost)
    pwpid=$(pid_of pipewire)
    for q in 128 256; do
      pw-metadata -n settings 0 clock.force-quantum "$q" >/dev/null \
        || fail "cannot force the quantum to $q"
      sleep 2
      c0=$(cpu_ticks "$pid") || fail "cannot read the CPU time"
      p0=$(cpu_ticks "$pwpid") || fail "cannot read pipewire's CPU time"
      t0=$(now_ns)
      sleep 4
      c1=$(cpu_ticks "$pid") || fail "cannot read the CPU time"
      p1=$(cpu_ticks "$pwpid") || fail "cannot read pipewire's CPU time"
      t1=$(now_ns)
      python3 - "$design" "$n" "$q" "$c0" "$c1" "$p0" "$p1" "$t0" "$t1" "$hz" <<'PY'
import sys
d = sys.argv[1]
n, q, c0, c1, p0, p1, t0, t1, hz = map(int, sys.argv[2:])
secs = (t1 - t0) / 1e9
pct = (c1 - c0) / hz / secs * 100
pw = (p1 - p0) / hz / secs * 100
print(f"BENCH nodes design={d} channels={n} quantum={q} pct={pct:.2f} "
      f"per_channel_pct={pct / n:.3f} pipewire_pct={pw:.2f} total_pct={pct + pw:.2f}",
      flush=True)
PY
    done
    stop cost || fail "node-cost exited with status $?"
  done
done
pw-metadata -n settings 0 clock.force-quantum 0 >/dev/null
stop prog
