#!/usr/bin/env bash
# The stabilizer reading a foh channel (source = channel/N) while riding a
# desk's fader: the channel's input loudness meter runs for it, and only on
# that channel (a strip meters its input only when the stabilizer's source
# names it). A stereo 1 kHz tone at -20 dBFS peak (BS.1770: -20.0 LUFS,
# the K-weighting is +0.0 dB at 1 kHz to within 0.1) plays into channel 1;
# the loop starts on source = channel/2, where nothing plays: silent
# (State silence). Moved over D-Bus to channel/1, the loop's level
# (LevelDb: mode single's smoothed pre-fader reading, smoothing 0.5 per
# 0.25 s cycle) must come to -20 ± 1 and the loop must not be silent (the
# change switched channel 1's meter on); to channel/2 again, silent; back,
# -20 ± 1 and not silent again (the meter switched on anew).
set -u
. "$FOH_TESTS/lib.sh"


start_fake_desk
desk fader bus5 -5

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 2
[x32]
address = 127.0.0.1:$desk_port
[stabilizer]
source = channel/2
output = bus5
target-db = -30
mode = single
interval-s = 0.25
smoothing = 0.5
silence-hold-s = 0.5
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
connected() { busctl --user get-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Connected | grep -q true; }
wait_for 5 connected || fail "not connected to the fake desk"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"
stab set-property Enabled b true || fail "enabling was refused"

tone "$FOH_SESSION/tone.wav" 1000 -20 30
spawn play pw-play --target foh.ch1.capture "$FOH_SESSION/tone.wav"

state() { sprop State | tr -d '"'; }
hears_tone() { within "$(sprop LevelDb)" -21 -19 && [ "$(state)" != silence ] && [ "$(state)" != idle ]; }
silent() { [ "$(state)" = silence ]; }
wait_for 10 silent || fail "source channel/2 at start (nothing plays): State $(state)"
stab set-property Source s channel/1 || fail "Source channel/1 was refused"
wait_for 10 hears_tone || fail "source channel/1: LevelDb $(sprop LevelDb), State $(state); want -20 ± 1"
note "source channel/1: LevelDb $(sprop LevelDb), State $(state)"

stab set-property Source s channel/2 || fail "Source channel/2 was refused"
wait_for 10 silent || fail "source channel/2 (nothing plays): State $(state), LevelDb $(sprop LevelDb)"
note "source channel/2: State $(state)"

stab set-property Source s channel/1 || fail "Source channel/1 was refused"
wait_for 10 hears_tone || fail "back to channel/1: LevelDb $(sprop LevelDb), State $(state); want -20 ± 1"
note "back to channel/1: LevelDb $(sprop LevelDb), State $(state)"
stop play || true	# pw-play ends on SIGTERM with a status
