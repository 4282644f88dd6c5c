#!/usr/bin/env bash
# Beyond one machine, Janus: Debian's janus (HTTP API on 127.0.0.1, only
# the streaming plugin) with the shipped mountpoint
# (conf/janus/janus.plugin.streaming.jcfg, unchanged) relays a room's
# programme (channel 2's output, carrying a 1 kHz tone), forwarded as Opus
# RTP as the README shows (pipewiresrc → opusenc → rtpopuspay pt=111 →
# udpsink 127.0.0.1:5002), to a WebRTC listener (GStreamer webrtcbin over
# Janus's HTTP API) that hears the 1 kHz tone. Janus's ICE candidates are
# the host's own addresses (it leaves loopback out). Skipped (77) without
# janus.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

command -v janus >/dev/null || { echo "janus is not installed"; exit 77; }
JLIB=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/janus
[ -d "$JLIB/plugins" ] || JLIB=$(dirname "$(dpkg -L janus | grep -m1 '/plugins/libjanus_streaming.so$')")/..
[ -f "$JLIB/plugins/libjanus_streaming.so" ] || { echo "janus has no streaming plugin"; exit 77; }

start_rooms
tone "$FOH_SESSION/tone.wav" 1000 -12 60
spawn loop pw-loopback --capture-props='media.class=Audio/Sink node.name=tone.sink audio.position=[FL FR]' \
  --playback-props='media.class=Audio/Source node.name=tone.src audio.position=[FL FR]'
wait_for 10 node_exists tone.src || fail "no loopback source"
# the room names channel 2's output as its programme and holds no channel
# (a room holding a channel with no publisher gives it its old Input back)
expect_status 201 POST "$BASE/api/rooms" '{"id": "j", "channel": 0, "programme": "foh.ch2.playback"}'
PROG=$(json 'j["programme"]')
[ "$PROG" = foh.ch2.playback ] || fail "room j's programme is $PROG"
chset 2 Input s tone.src
spawn tone pw-play --target tone.sink "$FOH_SESSION/tone.wav"
ch2_hears() { $PY -c "import sys; sys.exit(0 if float(sys.argv[1]) > -30 else 1)" "$(chprop 2 PeakDb)"; }
wait_for 10 ch2_hears || fail "channel 2 does not hear the tone (PeakDb $(chprop 2 PeakDb))"

# Janus: HTTP API on a free loopback port, only the streaming plugin
J=$FOH_SESSION/janus
mkdir -p "$J"
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$FOH_SRCDIR/conf/janus/janus.plugin.streaming.jcfg" "$J/"
disable_plugins=$(cd "$JLIB/plugins" && ls libjanus_*.so | grep -v '^libjanus_streaming.so$' | paste -sd,)
disable_transports=$(cd "$JLIB/transports" && ls libjanus_*.so | grep -v '^libjanus_http.so$' | paste -sd,)
cat >"$J/janus.jcfg" <<CONF
general: {
	configs_folder = "$J"
	plugins_folder = "$JLIB/plugins"
	transports_folder = "$JLIB/transports"
	events_folder = "$JLIB/events"
	loggers_folder = "$JLIB/loggers"
	debug_level = 4
	session_timeout = 60
}
media: {
	rtp_port_range = "40000-40999"
}
nat: {
	ignore_mdns = true
}
plugins: {
	disable = "$disable_plugins"
}
transports: {
	disable = "$disable_transports"
}
events: {
	broadcast = false
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
CONF
printf 'general: {\n\tbase_path = "/janus"\n\thttp = true\n\tport = %s\n\tip = "127.0.0.1"\n\thttps = false\n}\nadmin: {\n\tadmin_http = false\n}\n' \
  "$port" >"$J/janus.transport.http.jcfg"
spawn janus janus -C "$J/janus.jcfg" -F "$J" -o
janus_up() { curl -sf "http://127.0.0.1:$port/janus/info" >/dev/null; }
wait_for 20 janus_up || fail "janus did not answer on 127.0.0.1:$port: $(tail -5 "$FOH_SESSION/janus.log" 2>/dev/null)"
curl -s "http://127.0.0.1:$port/janus/info" | grep -q '"janus.plugin.streaming"' || fail "janus has no streaming plugin"

# the room's programme forwarded to the mountpoint, as the README says
spawn forward gst-launch-1.0 -m pipewiresrc target-object="$PROG" always-copy=true \
  ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2 ! tee name=t \
  ! queue ! opusenc ! rtpopuspay pt=111 ! udpsink host=127.0.0.1 port=5002 \
  t. ! queue ! level interval=500000000 ! fakesink
out=$($PY "$FOH_TESTS/rooms/janus_listener.py" "http://127.0.0.1:$port/janus" 1 2) \
  || fail "the Janus listener failed: $out; janus: $(grep -iE 'error|warn|stream|rtp' "$FOH_SESSION/janus.log" | tail -15); forward: $(grep -o 'peak=.*;' "$FOH_SESSION/forward.log" | tail -3)"
read -r hz peak <<<"$out"
echo "# Janus listener: $hz Hz, peak $peak dBFS"
$PY -c "import sys; sys.exit(0 if abs($hz - 1000) < 15 and $peak > -40 else 1)" \
  || fail "the Janus listener heard $hz Hz at $peak dBFS, not the 1 kHz tone; forwarded: $(grep -o 'peak=[^;]*' "$FOH_SESSION/forward.log" | tail -3 | tr '\n' ' ')"
echo ok
