#!/usr/bin/env bash
# The feature-server personality on ws://127.0.0.1:8765, over a real fohd
# whose analyzer listens to a 1 kHz tone through channel 1:
#  - the seed's minimal Python client (seed_client.py, verbatim from the
#    seed's README) runs unchanged: it turns the FFT on (busctl sees
#    FftEnabled) and prints snapshots at ~60 Hz;
#  - every binary FFT frame is byte for byte the floats of an /audio/fft
#    datagram fohd sent at the same time to another destination, one with
#    the "fft" option; a plain destination (oscdump) with SendFft off gets
#    no /audio/fft (nor /audio/lmh_raw) at all while WebSocket clients turn
#    the FFT on and receive frames, and SendFft stays off;
#  - mid_raw is the sine's RMS through the mid band-pass (Butterworth
#    formula) within 1 dB, low_raw and high_raw far below it, and a 6 dB
#    quieter tone moves mid_raw by 6 dB (±0.5) while the auto-scaled mid
#    moves differently;
#  - malformed and out-of-range messages each get an error and change
#    nothing fohd holds (busctl GetAll before and after);
#  - each setter answers a meta with the new value, busctl sees it, snapshots
#    follow ws_snapshot_hz; presets save, list (saved_at = the file's time
#    in the seed's format, newest first) and load;
#  - the seed's minimal JS client (seed-client.js, verbatim) runs unchanged
#    in headless Chromium from a page foh-web serves, receives meta,
#    snapshots and FFT frames, and its set_fft/set_band reach fohd.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

here=$FOH_TESTS/foh-web
osc_port=$(free_port)
an_conf "$FOH_SESSION/foh.conf" "$osc_port"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
printf '[web]\nlisten = 127.0.0.1:0\n[compat]\nfeature-server = true\n' >"$FOH_SESSION/foh-web.conf"
start_web
[ "$(web_port feature-server)" = 8765 ] || fail "the feature server is not on 8765"
start_tone tone 1000 -20
# a plain OSC destination, which must never see /audio/fft (SendFft is off),
# and the fft-match receiver, which asks for the FFT with the "fft" option
dump_port=$(free_port)
start_osc dump "$dump_port"
ancall AddDestination s "127.0.0.1:$dump_port"
ancall AddDestination s "127.0.0.1:$osc_port fft"
anprop Destinations | grep -q "\"127.0.0.1:$osc_port fft\"" \
  || fail "AddDestination did not give $osc_port the fft option: $(anprop Destinations)"
no_fft_on_dump() {
  [ "$(anprop SendFft)" = false ] || fail "SendFft was turned on"
  wait_for 5 osc_more "$FOH_SESSION/dump.osc" /audio/lmh 0 || fail "oscdump receives nothing"
  [ "$(osc_count "$FOH_SESSION/dump.osc" /audio/fft)" = 0 ] \
    || fail "a destination without FFT got $(osc_count "$FOH_SESSION/dump.osc" /audio/fft) /audio/fft while WebSocket clients asked for the FFT"
  [ "$(osc_count "$FOH_SESSION/dump.osc" /audio/lmh_raw)" = 0 ] \
    || fail "a destination without lmh-raw got /audio/lmh_raw"
}

# the seed's Python client, unchanged
anset FftEnabled b false
anset SendFft b false
spawn seed-py bash -c 'cd "$1" && exec "$2" "$3" >"$1/seed-py.out"' seed "$FOH_SESSION" "$PY" "$here/seed_client.py"
snapshot_lines() { grep -cE '^[0-9.e-]+ [0-9.e-]+ [0-9.e-]+$' "$FOH_SESSION/seed-py.out"; }
enough_lines() { [ "$(snapshot_lines)" -ge 120 ]; }
wait_for 30 enough_lines || fail "the seed's Python client printed $(snapshot_lines) snapshots (see seed-py.log)"
alive seed-py || fail "the seed's Python client stopped by itself (see seed-py.log)"
stop seed-py
note "seed Python client: $(snapshot_lines) snapshot lines"
awk '$1 > 0 || $2 > 0 || $3 > 0 { n++ } END { exit !(n > 0) }' "$FOH_SESSION/seed-py.out" \
  || fail "every snapshot reads 0 with a tone playing"
[ "$(anprop FftEnabled)" = true ] || fail "set_fft from the seed's client did not reach fohd"

# FFT frames are /audio/fft's floats
$PY "$here/feature.py" fft-match "$osc_port" 2 || fail "binary FFT frames differ from /audio/fft"
no_fft_on_dump

# *_raw: the bands' smoothed RMS before the auto-scaler, at two levels
[ "$(anprop FilterOrder)" = 2 ] || fail "FilterOrder is not 2"
loud=$($PY "$here/feature.py" raw 1) || fail "no snapshots at -20 dBFS"
stop tone
start_tone tone 1000 -26
quiet=$($PY "$here/feature.py" raw 1) || fail "no snapshots at -26 dBFS"
$PY "$here/feature.py" raw-check "$loud" "$quiet" 6 || fail "*_raw are not the bands' RMS"

# bad messages: an error each, nothing changed
before=$(an_state)
$PY "$here/feature.py" bad || fail "a bad message was not refused"
[ "$(an_state)" = "$before" ] || fail "a refused message changed the analyzer"

# setters
$PY "$here/feature.py" roundtrip || fail "a setter did not answer the new meta"
anprop Bands | grep -q '"mid" 300 3000' || fail "set_band did not reach fohd: $(anprop Bands)"
[ "$(anprop FftBins)" = 64 ] || fail "set_n_fft_bins did not reach fohd"
$PY "$here/feature.py" presets "web test" || fail "presets"

# the seed's JS client, unchanged, in Chromium
[ "$(anprop FftEnabled)" = false ] || fail "roundtrip left the FFT on"
cp "$here/seed-js.html" "$here/seed-watch.js" "$here/seed-client.js" "$FOH_SESSION/www/"
seen=$($PY "$FOH_TESTS/tools/cdp.py" "$BASE/seed-js.html" 30 'document.documentElement.dataset.seen' \
  '(s => s && s.meta >= 1 && s.snapshot >= 20 && s.fft >= 20)(JSON.parse(document.documentElement.dataset.seen || "null"))')
note "seed JS client saw $seen"
[ -n "$seen" ] || fail "the JS client received nothing (see chromium.log)"
echo "$seen" | $PY -c 'import json, sys; s = json.load(sys.stdin); sys.exit(not (s["meta"] >= 1 and s["snapshot"] >= 20 and s["fft"] >= 20 and s["fftBins"] == 64))' \
  || fail "the JS client did not get meta, snapshots and 64-bin FFT frames: $seen"
[ "$(anprop FftEnabled)" = true ] || fail "the JS client's set_fft did not reach fohd"
anprop Bands | grep -q '"mid" 200 4000' || fail "the JS client's set_band did not reach fohd: $(anprop Bands)"
[ "$(web_stat refused_origin)" = 0 ] || fail "the JS client's origin was refused"
no_fft_on_dump
note "feature server ok"
