#!/usr/bin/env bash
# Benchmark: how many OSC sets per second foh-osc turns into fohd property
# changes when surfaces send as fast as they can. osc-flood sends
# /foh/ch/K/gain for 4 channels in turn, unpaced, for 5 s; the figures are
# foh-osc's counters over that time: messages taken, D-Bus sets completed
# (what fohd applied), and the share coalesced away.
#   BENCH osc_sets_per_sec <completed/s> msgs_per_sec <messages/s> coalesced_pct <x> keys 4
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 4
m0=$(osc_stat messages) c0=$(osc_stat completed) k0=$(osc_stat coalesced) t0=$(date +%s.%N)
"$OSC_FLOOD" "$OSC_PORT" 5 0 4 >"$FOH_SESSION/flood.txt" || fail "osc-flood failed"
settled() { [ "$(osc_stat completed)" = "$(osc_stat dispatched)" ]; }
wait_for 10 settled || fail "foh-osc did not settle"
t1=$(date +%s.%N)
m1=$(osc_stat messages) c1=$(osc_stat completed) k1=$(osc_stat coalesced)
cat "$FOH_SESSION/flood.txt" | head -2
python3 -c '
import sys
m0, c0, k0, m1, c1, k1 = map(int, sys.argv[1:7]); t = float(sys.argv[8]) - float(sys.argv[7])
print(f"BENCH osc_sets_per_sec {(c1 - c0) / t:.0f} msgs_per_sec {(m1 - m0) / t:.0f} "
      f"coalesced_pct {100 * (k1 - k0) / max(1, m1 - m0):.1f} keys 4")' \
  "$m0" "$c0" "$k0" "$m1" "$c1" "$k1" "$t0" "$t1"
