#!/usr/bin/env bash
# Benchmark: the UI with 16 channels playing and the analyzer streaming
# and the busctl → page latency (see bench-web-ui.py for the figures).
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
printf '[daemon]\nchannels = 16\n[analyzer]\nsource = channel/1\nfft = true\nsend-fft = true\n' >"$conf"
start_fohd --config "$conf"
wait_for 10 pw_client_running foh.ch16.playback || fail "16 channels are not in the graph"
export WEB_PORT=$((20000 + RANDOM % 20000))
"$FOH_TESTS/foh-web/ui-ctl.sh" start-web || fail "foh-web did not start"
tone "$FOH_SESSION/t.wav" 440 -18 40
for n in $(seq 1 16); do
  spawn "play$n" pw-play --target "foh.ch$n.capture" "$FOH_SESSION/t.wav"
done
/usr/bin/python3 "$FOH_TESTS/foh-web/bench-web-ui.py" "http://127.0.0.1:$WEB_PORT/" "$(pid_of foh-web)"
