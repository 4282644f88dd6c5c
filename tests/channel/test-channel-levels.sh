#!/usr/bin/env bash
# Audio through a channel, measured in a recording of the sink it plays to:
# unity pass-through with dynamics off, input gain, the limiter's ceiling,
# the compressor's steady state, and a refused bad value that changes nothing.
set -u
. "$FOH_TESTS/lib.sh"

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
comp-enabled = false
limiter-enabled = false
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"

tone "$FOH_SESSION/m20.wav" 1000 -20 1.5
through_channel 1 "$FOH_SESSION/m20.wav" "$FOH_SESSION/out.wav"
read -r peak rms < <(levels "$FOH_SESSION/out.wav" --from 0.4 --to 1.2)
note "dynamics off: -20 dBFS in, $peak dBFS out"
within "$peak" -20.1 -19.9 || fail "pass-through: -20 dBFS tone came out at $peak dBFS"

chset 1 Gain d 6
through_channel 1 "$FOH_SESSION/m20.wav" "$FOH_SESSION/out.wav"
read -r peak rms < <(levels "$FOH_SESSION/out.wav" --from 0.4 --to 1.2)
note "gain +6: $peak dBFS out"
within "$peak" -14.1 -13.9 || fail "Gain +6: -20 dBFS tone came out at $peak dBFS, want -14"
chset 1 Gain d 0

# Limiter: a full-scale tone never comes out above the ceiling.
chset 1 LimiterEnabled b true
chset 1 LimiterCeiling d -3
tone "$FOH_SESSION/zero.wav" 1000 0 1.5
through_channel 1 "$FOH_SESSION/zero.wav" "$FOH_SESSION/out.wav"
read -r peak rms < <(levels "$FOH_SESSION/out.wav")
note "limiter at -3: 0 dBFS in, peak $peak dBFS out"
within "$peak" -60 -3.0 || fail "limiter: peak $peak dBFS above the -3 dBFS ceiling"
within "$peak" -4 -3.0 || fail "limiter: peak $peak dBFS far below the ceiling (is the tone there?)"

# Compressor: -20 dBFS threshold, 4:1, on a tone of -8 dBFS RMS: 12 dB over
# the threshold leaves 3 dB over it, -17 dBFS RMS, at steady state.
chset 1 CompEnabled b true
chset 1 CompThreshold d -20
chset 1 CompRatio d 4
chset 1 LimiterEnabled b false
tone "$FOH_SESSION/m8.wav" 1000 -4.9897 2
through_channel 1 "$FOH_SESSION/m8.wav" "$FOH_SESSION/out.wav"
read -r peak rms < <(levels "$FOH_SESSION/out.wav" --from 1.0 --to 1.8)
note "compressor 4:1 at -20: -8 dBFS RMS in, $rms dBFS RMS out"
within "$rms" -17.5 -16.5 || fail "compressor: steady state $rms dBFS RMS, want -17 +- 0.5"

# A bad value is refused with the allowed range, and the old value stays.
for bad in "CompRatio d 0.5" "CompRatio d nan" "Gain d inf" "LimiterCeiling d 3" \
           "AudioChannels u 3" "Input s no-such-node"; do
  set -- $bad
  before=$(chprop 1 "$1")
  if out=$(busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 $CHANNEL_IFACE "$1" "$2" "$3" 2>&1); then
    fail "$1=$3 was accepted"
  fi
  note "$1=$3 refused: $out"
  [ "$(chprop 1 "$1")" = "$before" ] || fail "$1 changed to $(chprop 1 "$1") after a refused set"
done
out=$(busctl --user set-property org.foh.Foh1 /org/foh/Foh1/channel/1 $CHANNEL_IFACE CompRatio d 0.5 2>&1)
echo "$out" | grep -q '\[1, 100\]' || fail "the refusal does not give the range: $out"
echo "ok: levels through channel 1 are right"
