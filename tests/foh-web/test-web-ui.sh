#!/usr/bin/env bash
# The browser UI (web/, as installed) in headless Chromium over DevTools,
# against a real fohd and foh-web (web-ui.py has the steps): loads with no
# console error or failed request; channel 1's meter reads a 1 kHz tone
# within 1 dB of fohctl's; dragging the gain slider sets Gain on D-Bus; a
# busctl set-property shows on the page (latency printed); a refused value
# snaps back with fohd's message; the FFT canvas peaks at the tone's x on
# the log-frequency axis; the page says reconnecting and comes back live
# across foh-web and fohd restarts; at 390 px wide no control leaves the
# viewport. A screenshot of each view goes to meson-logs/web-ui/.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_GRAPH/graph.sh"

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 2
[channel.1]
comp-enabled = false
limiter-enabled = false
[analyzer]
source = channel/1
fft = true
send-fft = true
destinations =
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
trap check_web_exit EXIT
mkdir -p "$FOH_SESSION/music"
tone "$FOH_SESSION/music/track one.wav" 220 -20 1
printf '[web]\nmusic-dir = %s\n' "$FOH_SESSION/music" >"$FOH_SESSION/foh-web.conf"
export WEB_CONF=$FOH_SESSION/foh-web.conf
export WEB_PORT=$((20000 + RANDOM % 20000))
. "$FOH_TESTS/foh-web/ui-ctl.sh"
ui_ctl start-web

spawn tone "$TONE_PLAY" --hz 1000 --dbfs -18 foh.ch1.capture
wait_for 10 nodes_running foh-tone.foh.ch1.capture || fail "the tone does not run"

# web-ui.py asks for restarts over a FIFO, so that foh-web and fohd stay
# children of this shell (whose exit checks read their status)
shots=${FOH_BUILDDIR:-$FOH_SESSION}/meson-logs/web-ui
mkdir -p "$shots"
mkfifo "$FOH_SESSION/ui-req" "$FOH_SESSION/ui-ack"
export UI_REQ=$FOH_SESSION/ui-req UI_ACK=$FOH_SESSION/ui-ack
$PY "$FOH_TESTS/foh-web/web-ui.py" "http://127.0.0.1:$WEB_PORT/" "$shots" &
py=$!
exec 3<>"$UI_REQ"
while read -r verb <&3; do
  [ "$verb" = end ] && break
  ui_ctl "$verb"
  echo done >"$UI_ACK"
done
wait $py || fail "the browser UI test failed"
[ "$(web_stat refused_origin)" = 0 ] && [ "$(web_stat refused_host)" = 0 ] || fail "the UI's own requests were refused"
