#!/usr/bin/env bash
# The analyzer with Source = a sink reports what plays into that sink (its
# monitor), which is how a user points it at "what is playing" — before, a
# sink as the Source was accepted and the default source (here the null
# "microphone", silence) was captured instead. The Source is set in the
# config before the sink exists (fohd makes the stream again when the sink
# appears, for its monitor); then a 100 Hz and an 8 kHz programme
# (-20 dBFS, pw-play into the sink) must make low, then high, lead
# /audio/lmh as oscdump receives it (same criterion as analyzer-lmh).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

port=$(free_port)
log=$FOH_SESSION/osc.osc
start_osc osc "$port"
printf '[daemon]\nchannels = 0\n[analyzer]\nsource = prog-sink\ndestinations = 127.0.0.1:%s\n' \
  "$port" >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.analyzer || fail "the analyzer is not in the graph"

null_sink prog-sink
analyzer_on_monitor() {
  pw-link -l 2>/dev/null | grep -A2 '^foh.analyzer:' | grep -q '|<- prog-sink:monitor_'
}
wait_for 10 analyzer_on_monitor \
  || fail "the analyzer is not linked to prog-sink's monitor: $(pw-link -l | grep -A2 foh.analyzer)"

leads() {
  local share
  read -r _ _ _ _ share _ < <(osc_py dominance "$1" -0.3 now "$2")
  [ "$share" = "1.000" ]
}

for case in "100 low" "8000 high"; do
  set -- $case
  hz=$1 band=$2
  python3 "$FOH_TESTS/tools/audio.py" tone "$FOH_SESSION/prog$hz.wav" "$hz" -20 8
  spawn play pw-play --target prog-sink "$FOH_SESSION/prog$hz.wav"
  wait_for 5 leads "$log" "$band" || note "$band never led all of 0.3 s at $hz Hz"
  sleep 0.5   # the auto-scaler's attack after the silence before
  # What this test proves is where the analyzer listens (the sink's monitor,
  # not the silent default source); how closely the bands follow a tone is
  # analyzer-lmh's. Same criterion.
  band_holds "$log" "$band" "$hz Hz into prog-sink" 0.95
  stop play || true
done
echo "ok: what plays into prog-sink (the analyzer's Source) leads the right band"
