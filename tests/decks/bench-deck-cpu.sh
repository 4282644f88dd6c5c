#!/usr/bin/env bash
# Benchmark: CPU per deck for each stretch method at quantum 256, and each
# method's added latency. fohd with four decks plays nothing (baseline),
# then four decks at TempoRatio 1.07 with the method (looping tone), for
# 5 s each after 2 s to settle; fohd's process CPU time (utime + stime of
# all its threads: the loaders do the stretching) gives the extra per deck,
# in percent of one core. The latency is the deck's LatencySec (the stretch's
# own delay, compensated at start). Prints, asserting nothing about speed:
#   BENCH deck method=M quantum=256 cpu_pct_per_deck=X latency_ms=Y underruns=U
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"
. "$FOH_GRAPH/graph.sh"

hz=$(getconf CLK_TCK)
deckaudio tone "$FOH_SESSION/tone.wav" 440 10
start_decks_fohd "count = 4"
wait_for 10 decks_linked || fail "foh.decks is not linked"
force_quantum 256

cpu_window() {
  local pid c0 c1 t0 t1
  pid=$(pid_of fohd)
  sleep 2
  c0=$(cpu_ticks "$pid"); t0=$(now_ns)
  sleep 5
  c1=$(cpu_ticks "$pid"); t1=$(now_ns)
  python3 -c "import sys; c0, c1, t0, t1, hz = map(int, sys.argv[1:]); print((c1 - c0) / hz / ((t1 - t0) / 1e9) * 100)" \
    "$c0" "$c1" "$t0" "$t1" "$hz"
}

base=$(cpu_window)
note "baseline (decks idle): $base % of a core"
for method in rate rubberband; do
  u0=0
  for l in a b c d; do
    deck $l set-property StretchMethod s $method || fail "StretchMethod refused"
    deck $l set-property TempoRatio d 1.07 || fail "TempoRatio refused"
    deck $l set-property Loop b true || fail "Loop refused"
    deck $l call Load s "$FOH_SESSION/tone.wav" || fail "Load failed"
    u0=$(( u0 + $(dprop $l Underruns) ))
  done
  for l in a b c d; do deck $l call Play || fail "Play failed"; done
  cpu=$(cpu_window)
  u1=0
  for l in a b c d; do u1=$(( u1 + $(dprop $l Underruns) )); deck $l call Stop; done
  lat=$(dprop a LatencySec)
  python3 -c "import sys; c, b, l = map(float, sys.argv[1:4]); print(f'BENCH deck method={sys.argv[4]} quantum=256 cpu_pct_per_deck={(c - b) / 4:.2f} latency_ms={l * 1000:.1f} underruns={sys.argv[5]}', flush=True)" \
    "$cpu" "$base" "$lat" "$method" "$(( u1 - u0 ))"
done
