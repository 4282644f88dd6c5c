#!/usr/bin/env bash
# Beyond one machine, PipeWire RTP: two private PipeWire sessions carry a
# foh channel over PipeWire's own module-rtp-sink / module-rtp-source
# with the shipped snippets (conf/pipewire/foh-rtp-send.conf and
# foh-rtp-receive.conf, only the multicast groups replaced by 127.0.0.1
# and free ports: the receiver finds the stream by the sender's SAP
# announcements). This session sends: fohd's channel 1 takes a 1 kHz tone and
# plays to foh.rtp.send (module-rtp-sink, loaded by a `pipewire -c` client
# as a drop-in). A second session (tests/session.sh nested, the receive
# snippet as a pipewire.conf.d drop-in) records the node the stream makes
# there, named after the sender's sess.name (foh.rtp.ch1),
# and the recording's dominant frequency is 1 kHz (numpy FFT).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

free_port() { $PY -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
sap=$(free_port)
unicast() {  # SNIPPET: the shipped snippet, RTP and SAP on 127.0.0.1 and free ports
  sed -e 's/"239\.0\.0\.1"/"127.0.0.1"/' -e 's/"224\.0\.0\.56"/"127.0.0.1"/' \
    -e "s/= 46000/= $port/" -e "s/= 9875/= $sap/" "$FOH_SRCDIR/conf/pipewire/$1"
}

printf '[daemon]\nchannels = 1\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"

# the sender: module-rtp-sink in a PipeWire client process of this session
mkdir -p "$XDG_CONFIG_HOME/pipewire/foh-rtp-send.conf.d"
cat >"$XDG_CONFIG_HOME/pipewire/foh-rtp-send.conf" <<'CONF'
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-adapter }
]
CONF
unicast foh-rtp-send.conf >"$XDG_CONFIG_HOME/pipewire/foh-rtp-send.conf.d/foh-rtp-send.conf"
grep -q "127.0.0.1" "$XDG_CONFIG_HOME/pipewire/foh-rtp-send.conf.d/foh-rtp-send.conf" || fail "no address to replace"
spawn rtp-send pipewire -c foh-rtp-send.conf
wait_for 10 node_exists foh.rtp.send || fail "module-rtp-sink made no foh.rtp.send: $(tail -3 "$FOH_SESSION/rtp-send.log")"

tone "$FOH_SESSION/tone.wav" 1000 -12 30
spawn loop pw-loopback --capture-props='media.class=Audio/Sink node.name=tone.sink audio.position=[FL FR]' \
  --playback-props='media.class=Audio/Source node.name=tone.src audio.position=[FL FR]'
wait_for 10 node_exists tone.src || fail "no loopback source"
chset 1 Input s tone.src
chset 1 Output s foh.rtp.send
spawn tone pw-play --target tone.sink "$FOH_SESSION/tone.wav"
sends() { pw-link -l | grep -A1 -E '^foh\.ch1\.playback' | grep -q 'foh.rtp.send'; }
wait_for 10 sends || fail "channel 1 does not play to foh.rtp.send: $(pw-link -l | grep -B1 -A1 rtp)"

# the receiver: a second private session with the receive snippet
unicast foh-rtp-receive.conf >"$FOH_SESSION/receive.conf"
cat >"$FOH_SESSION/receive.sh" <<'EOF2'
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/rooms/rooms.sh"
out=$1
wait_for 20 node_exists foh.rtp.ch1 \
  || fail "the receiving session has no foh.rtp.ch1: $(pw-cli ls Node | grep node.name | tr -d '\t' | paste -sd' ')"
timeout -s INT 3 pw-record --target foh.rtp.ch1 "$out"
[ -s "$out" ] || fail "nothing recorded from foh.rtp.ch1"
EOF2
FOH_PIPEWIRE_DROPIN=$FOH_SESSION/receive.conf FOH_QUIET_LOGS= \
  "$FOH_TESTS/session.sh" bash "$FOH_SESSION/receive.sh" "$FOH_SESSION/received.wav" \
  || fail "the receiving session failed"
read -r hz peak < <($ROOMS_PY freq "$FOH_SESSION/received.wav")
echo "# received over RTP: $hz Hz, peak $peak dBFS"
$PY -c "import sys; sys.exit(0 if abs($hz - 1000) < 5 and $peak > -30 else 1)" \
  || fail "the other session recorded $hz Hz at $peak dBFS, not the 1 kHz tone"
echo ok
