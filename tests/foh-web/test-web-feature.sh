#!/usr/bin/env bash
# The feature-server personality on ws://127.0.0.1:8765, over a real fohd
# whose analyzer listens to a 1 kHz tone through channel 1:
#  - the seed's minimal Python client (seed_client.py, verbatim from the
#    seed's README) runs unchanged: it turns the FFT on (busctl sees
#    FftEnabled) and prints snapshots at ~60 Hz;
#  - every binary FFT frame is byte for byte the floats of an /audio/fft
#    datagram fohd sent to another destination at the same time;
#  - malformed and out-of-range messages each get an error and change
#    nothing fohd holds (busctl GetAll before and after);
#  - each setter answers a meta with the new value, busctl sees it, snapshots
#    follow ws_snapshot_hz; presets save, list and load;
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
note "feature server ok"
