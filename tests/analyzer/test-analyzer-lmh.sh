#!/usr/bin/env bash
# L/M/H: a 100 Hz, a 1 kHz and an 8 kHz tone (-20 dBFS, through channel 1
# with its dynamics off, the analyzer's Source) make low, mid and high
# dominate /audio/lmh as oscdump receives it. The receiver is a second
# destination added with AddDestination (the first, from the config file,
# goes nowhere), so that path is covered too; after RemoveDestination
# nothing more arrives.
#
# For each tone: wait until the band leads in the newest messages (the
# smoothers and the auto-scaler's 255 ms attack need a moment), then take a
# fresh window of 110 messages and require the band to be the largest in
# >= 95 % of them and its mean to lead the others' by >= 0.03 (band_holds
# in analyzer.sh: a window a loaded machine disturbed is measured again). (The
# auto-scaler normalises each band to its own peak, so a steady tone leaves
# the other bands well above 0; what separates them is the dB baseline,
# 30 % of the value at the default Strength.)
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

port=$(free_port)
log=$FOH_SESSION/osc.osc
an_conf "$FOH_SESSION/foh.conf" 9
start_fohd --config "$FOH_SESSION/foh.conf"
start_osc osc "$port"
ancall AddDestination s "127.0.0.1:$port"
[ "$(anprop Destinations)" = "2 \"127.0.0.1:9\" \"127.0.0.1:$port\"" ] \
  || fail "Destinations is $(anprop Destinations) after AddDestination"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
wait_for 5 osc_more "$log" /audio/lmh 0 || fail "no /audio/lmh reached oscdump on port $port"

# leads LOG BAND: BAND is the largest in the last 0.3 s of messages.
leads() {
  local share
  read -r _ _ _ _ share _ < <(osc_py dominance "$1" -0.3 now "$2")
  [ "$share" = "1.000" ]
}

for case in "100 low" "1000 mid" "8000 high"; do
  set -- $case
  hz=$1 band=$2
  start_tone tone "$hz" -20
  wait_for 5 leads "$log" "$band" || note "$band never led all of 0.3 s at $hz Hz"
  band_holds "$log" "$band" "$hz Hz" 0.95
  stop tone
done

note "OscSendFailures $(anprop OscSendFailures), RingDrops $(anprop RingDrops)"

# RemoveDestination: once the change has reached the sender (20 cycles),
# nothing more arrives on the port over the next 50 cycles.
ancall RemoveDestination s "127.0.0.1:$port"
[ "$(anprop Destinations)" = '1 "127.0.0.1:9"' ] \
  || fail "Destinations is $(anprop Destinations) after RemoveDestination"
wait_blocks 20 || fail "the analyzer stopped processing"
n1=$(osc_count "$log" /audio/lmh)
wait_blocks 50 || fail "the analyzer stopped processing"
n2=$(osc_count "$log" /audio/lmh)
[ "$n2" = "$n1" ] || fail "$((n2 - n1)) /audio/lmh reached port $port after RemoveDestination"
echo "ok: 100 Hz, 1 kHz and 8 kHz make low, mid and high dominate /audio/lmh"
