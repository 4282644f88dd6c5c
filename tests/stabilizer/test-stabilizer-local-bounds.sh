#!/usr/bin/env bash
# Local mode's boost and cut are the channel leveler's (leveler-max-boost,
# leveler-max-cut: 20 and 40 dB), not the fader range: no fader moves, and
# the fader's default top (+10 dB, the X32's) would leave a quiet speaker
# under the target. A stereo 1 kHz tone at P dBFS peak is P LUFS (BS.1770:
# -3.01 for the mean square, +3.01 for two channels, -0.691 offsetting the
# K-weighting's +0.69 dB at 1 kHz). A tone at -40 dBFS plays into channel
# 1, whose leveler the stabilizer switches on at -25 LUFS with the default
# fader range: the gain must come to +15 ± 0.3 dB (it stopped at +10 while
# the fader range bounded it). Set over D-Bus to 12 dB, LevelerMaxBoostDb
# bounds it: +12 ± 0.1. Then a tone at -2 dBFS wants -23 dB, past the cut
# fader-min-db = -20 allowed: it must reach -23 ± 0.3.
set -u
. "$FOH_TESTS/lib.sh"


cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
comp-enabled = false
limiter-enabled = false
[stabilizer]
source = channel/1
output = channel/1
target-db = -25
fader-min-db = -20
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"
stab set-property Enabled b true || fail "enabling was refused"
[ "$(sprop MaxFaderDb)" = 10 ] || fail "the fader range's top is $(sprop MaxFaderDb), not the default 10"

gain() { chprop 1 LevelerGainDb; }
tone "$FOH_SESSION/quiet.wav" 1000 -40 30
spawn play pw-play --target foh.ch1.capture "$FOH_SESSION/quiet.wav"
boosted() { within "$(gain)" 14.7 15.3; }
wait_for 15 boosted || fail "a -40 LUFS tone, target -25: leveler gain $(gain) dB, want +15 ± 0.3"
note "quiet tone: gain $(gain) dB"
chset 1 LevelerMaxBoostDb d 12
bounded() { within "$(gain)" 11.9 12.1; }
wait_for 5 bounded || fail "LevelerMaxBoostDb 12: leveler gain $(gain) dB"
note "max boost 12: gain $(gain) dB"
stop play || true	# pw-play ends on SIGTERM

tone "$FOH_SESSION/loud.wav" 1000 -2 30
spawn play pw-play --target foh.ch1.capture "$FOH_SESSION/loud.wav"
cuts() { within "$(gain)" -23.3 -22.7; }
wait_for 15 cuts || fail "a -2 LUFS tone, target -25, fader-min-db -20: leveler gain $(gain) dB, want -23 ± 0.3"
note "loud tone: gain $(gain) dB"
stop play || true
