#!/usr/bin/env bash
# Benchmark: fohd's channels against the filter-chain anchor — what a
# PipeWire user would run instead (../shared/anchors/filter-chain-strips.sh,
# copied to tests/channel/anchor-filter-chain-strips.sh: per strip a SWH
# gate, SC4 compressor, builtin high-pass and four peaking EQs and the SWH
# fast lookahead limiter, stereo) — on the same programme, in one run.
#
# A null sink prog-sink carries the programme (tone-play's -20 dBFS 1 kHz
# sine); fohd's N stereo channels take its monitor as their Input and play
# to a second null sink, bars-sink; the anchor runs N strips in its own
# `pipewire -c` process capturing the same monitor and playing to the same
# sink. For N = 1, 4, 16, 64 (FOH_CHANNELS_CPU_N overrides), each at
# quanta 128 and 256, once every node of both is running and 2 s have passed, the CPU time of each whole process
# (the run time of all its threads in ns, /proc/PID/task/*/schedstat: clock
# ticks, 10 ms each, were 0.25 % of a core over the window, a tenth of
# fohd's figure at 4 strips) over a 4 s window gives
#   BENCH graph channels=N quantum=Q foh_pct=X anchor_pct=Y ratio=X/Y
# in percent of one core. fohd runs with its meters and loudness (always on)
# and the analyzer without destinations.
#
# Then fohd alone, idle — its 4 default channels with nothing playing into
# them, no deck playing, the analyzer without destinations — over 10 s:
#   BENCH idle foh_pct=X wakeups_per_s=W
# with X from the run time of all its threads in ns (/proc/PID/task/*/
# schedstat: clock ticks, 0.1 % of a core over 10 s, are too coarse for an
# idle process) and W the growth of the voluntary + nonvoluntary context
# switches of all its threads (/proc/PID/task/*/status) per second.
# Asserts nothing about speed.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"

settle=2
window=4
anchor=$FOH_GRAPH/anchor-filter-chain-strips.sh

all_running() {
  [ "$(running_count foh.ch)" -eq $(( 2 * $1 )) ] && [ "$(running_count anchor.strip)" -eq $(( 2 * $1 )) ]
}

# run_ns PID: time all its threads ran, in ns (%.0f: mawk's %d stops at
# 2^31, 2.1 s).
run_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# wakeups PID: voluntary + nonvoluntary context switches of all its threads.
wakeups() {
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'
}

null_sink prog-sink
null_sink bars-sink
spawn prog "$TONE_PLAY" --hz 1000 --dbfs -20 prog-sink
wait_for 10 nodes_running foh-tone.prog-sink || fail "the programme does not play"

for n in ${FOH_CHANNELS_CPU_N:-1 4 16 64}; do
  {
    printf '[daemon]\nchannels = %s\n[analyzer]\ndestinations =\n' "$n"
    for c in $(seq 1 "$n"); do
      printf '[channel.%s]\ninput = prog-sink\noutput = bars-sink\n' "$c"
    done
  } >"$FOH_SESSION/foh.conf"
  bash "$anchor" "$n" prog-sink bars-sink >"$FOH_SESSION/anchor.conf" \
    || fail "the anchor's config could not be made"
  start_fohd --config "$FOH_SESSION/foh.conf"
  spawn anchor pipewire -c "$FOH_SESSION/anchor.conf"
  wait_for 150 all_running "$n" \
    || fail "not all of $n strips run: foh $(running_count foh.ch) anchor $(running_count anchor.strip) nodes"
  fpid=$(pid_of fohd)
  apid=$(pid_of anchor)
  for q in 128 256; do
    force_quantum "$q"
    sleep "$settle"
    all_running "$n" || fail "not all strips run at quantum $q"
    f0=$(run_ns "$fpid") && a0=$(run_ns "$apid") || fail "cannot read the CPU times"
    t0=$(now_ns)
    sleep "$window"
    f1=$(run_ns "$fpid") && a1=$(run_ns "$apid") || fail "cannot read the CPU times"
    t1=$(now_ns)
    python3 - "$n" "$q" "$f0" "$f1" "$a0" "$a1" "$t0" "$t1" <<'PY'
import sys
n, q, f0, f1, a0, a1, t0, t1 = map(int, sys.argv[1:])
secs = (t1 - t0) / 1e9
foh = (f1 - f0) / 1e9 / secs * 100
anc = (a1 - a0) / 1e9 / secs * 100
ratio = foh / anc if anc > 0 else float("nan")
print(f"BENCH graph channels={n} quantum={q} foh_pct={foh:.2f} anchor_pct={anc:.2f} "
      f"ratio={ratio:.2f}", flush=True)
PY
  done
  stop anchor
  stop fohd || fail "fohd exited with status $? on SIGTERM"
done
stop prog

# Idle: the default channels, nothing playing.
printf '[daemon]\nchannels = 4\n[analyzer]\ndestinations =\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 pw_client_running foh.ch4.playback || fail "fohd's channels are not in the graph"
sleep 3
fpid=$(pid_of fohd)
f0=$(run_ns "$fpid") && w0=$(wakeups "$fpid") || fail "cannot read fohd's counters"
t0=$(now_ns)
sleep 10
f1=$(run_ns "$fpid") && w1=$(wakeups "$fpid") || fail "cannot read fohd's counters"
t1=$(now_ns)
python3 - "$f0" "$f1" "$w0" "$w1" "$t0" "$t1" <<'PY'
import sys
f0, f1, w0, w1, t0, t1 = map(int, sys.argv[1:])
secs = (t1 - t0) / 1e9
print(f"BENCH idle foh_pct={(f1 - f0) / 1e9 / secs * 100:.3f} "
      f"wakeups_per_s={(w1 - w0) / secs:.1f}", flush=True)
PY
