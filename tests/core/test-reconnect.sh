#!/usr/bin/env bash
# fohd starts without PipeWire, keeps serving D-Bus while PipeWire is away,
# reports PipeWireConnected, and reconnects within 3 s of PipeWire's return —
# as the same process. The analyzer's source is channel/1: after every
# restart a 1 kHz test tone on channel 1 must reach the sink (recorded from
# its monitor) and the analyzer too (issue 13, defect 8: WirePlumber linked
# the analyzer first, then failed to link channel 1 to its output).
set -u
. "$FOH_TESTS/lib.sh"

ANALYZER_IFACE=org.foh.Foh1.Analyzer
anprop() {
  busctl --user get-property org.foh.Foh1 /org/foh/Foh1/analyzer $ANALYZER_IFACE "$1" | cut -d' ' -f2-
}
linked() { pw-link -l 2>/dev/null | grep -A3 "^$1" | grep -q "|-> $2"; }
analyzer_hears_mid() {
  anprop Lmh | awk '{ exit !($2 > 0.2) }'
}

# channel_1_heard ROUND: channel 1 plays to the sink and to the analyzer.
channel_1_heard() {
  local round=$1 out=$FOH_SESSION/ch1-$1.wav peak
  wait_for 5 linked foh.ch1.playback:output_FL foh-test-sink:playback_FL \
    || fail "round $round: channel 1 is not linked to the sink: $(pw-link -l | grep -A3 foh.ch1.playback)"
  wait_for 5 linked foh.ch1.playback:output_FL foh.analyzer:input \
    || fail "round $round: channel 1 is not linked to the analyzer"
  record_sink "$out"
  busctl --user -- call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 1000 1.5 -12 \
    || fail "round $round: PlayTestTone refused"
  wait_for 3 analyzer_hears_mid || fail "round $round: the analyzer does not hear the tone ($(anprop Lmh))"
  sleep 1.5
  stop rec
  read -r peak _ < <(levels "$out")
  note "round $round: channel 1 at the sink peaks at $peak dBFS"
  within "$peak" -16 -9 || fail "round $round: channel 1 does not reach its sink (peak $peak dBFS, want -12)"
}

printf '[analyzer]\nsource = channel/1\n' >"$FOH_SESSION/foh.conf"
stop wireplumber
stop pipewire
start_fohd --config "$FOH_SESSION/foh.conf"
pid=$(pid_of fohd)
prop_is PipeWireConnected false || fail "connected without PipeWire"
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ListDevices >/dev/null 2>&1 \
  && fail "ListDevices answered without PipeWire"
"$FOHCTL" status | grep -q 'not connected' || fail "fohctl status does not say PipeWire is away"

spawn pipewire pipewire
wait_for 3 prop_is PipeWireConnected true || fail "no connection within 3 s of PipeWire starting"
start_wireplumber

for round in 1 2; do
  stop pipewire KILL
  stop wireplumber
  wait_for 3 prop_is PipeWireConnected false || fail "round $round: still connected after kill -9"
  busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Version >/dev/null \
    || fail "round $round: fohd stopped serving D-Bus"
  prop_is SampleRate 0 || fail "round $round: SampleRate stale while disconnected"
  start=$(date +%s%N)
  spawn pipewire pipewire
  wait_for 3 prop_is PipeWireConnected true || fail "round $round: not reconnected within 3 s"
  note "round $round: reconnected $(( ($(date +%s%N) - start) / 1000000 )) ms after PipeWire started"
  start_wireplumber
  wait_for 3 prop_is SampleRate 48000 || fail "round $round: SampleRate not restored"
  channel_1_heard "$round"
done
[ "$(pid_of fohd)" = "$pid" ] && kill -0 "$pid" || fail "fohd is not the same process"
grep -q 'connected to PipeWire' "$FOH_SESSION/fohd.log" || fail "no reconnection in the log"
echo "ok: reconnected as pid $pid"
