#!/usr/bin/env bash
# Benchmark: the round trip of a D-Bus property set (channel Gain, 500 sets
# over 16 channels) while all 16 channels emit Levels at 10 Hz and the client
# is subscribed to them. Prints
#   BENCH dbus_set count=500 channels=16 p50_ms=… p99_ms=… max_ms=… levels_per_s=…
# and asserts nothing about speed.
set -u
. "$FOH_TESTS/lib.sh"

printf '[daemon]\nchannels = 16\nmeter-rate = 10\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 pw_client_running foh.ch16.playback || fail "16 channels are not in the graph"
"$DBUS_SET_BENCH" 16 500 || fail "the benchmark client failed"
