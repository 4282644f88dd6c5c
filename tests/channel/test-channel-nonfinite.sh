#!/usr/bin/env bash
# A client that plays NaN, infinity or absurd values (1e30: no audio, and
# its square is infinite in float) into a channel does not lose it: the
# strip plays those samples as silence, so the channel's output stays the
# programme (before, the first NaN stayed in every filter's state and the
# channel played NaN until fohd restarted), and fohd's log says so. A
# 32-bit float WAV of a 750 Hz tone at -12 dBFS peak carries NaN, +inf,
# -inf and 1e30 in its first second (audio.py nonfinite); pw-play plays it
# into channel 1 (dynamics off, the EQ on with only a 20 Hz high-pass: a
# filter with memory in the path, unity at 750 Hz). In the second after
# them the recording of the channel's output must be the tone (Goertzel,
# audio.py tonematch: share >= 0.95) at -15 dBFS RMS (-12 - 3.01), and the
# log must name the channel.
set -u
. "$FOH_TESTS/lib.sh"

python3 "$FOH_TESTS/tools/audio.py" nonfinite "$FOH_SESSION/prog.wav" 750 -12 2

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
comp-enabled = false
limiter-enabled = false
eq-enabled = true
eq-highpass = 20
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"

for try in 1 2; do
  record_sink "$FOH_SESSION/out.wav"
  pw-play --target foh.ch1.capture "$FOH_SESSION/prog.wav" || fail "pw-play failed"
  stop rec
  read -r frac rms < <(python3 "$FOH_TESTS/tools/audio.py" tonematch "$FOH_SESSION/out.wav" 750 \
    --from 1.1 --to 1.9 --onset)
  note "after the NaN and inf: 750 Hz share $frac, $rms dBFS RMS (missed $(rec_missed) cycles)"
  if within "$frac" 0.95 1.01 && within "$rms" -15.3 -14.7; then
    break
  fi
  [ "$(rec_missed)" != 0 ] || break
done
within "$frac" 0.95 1.01 || fail "the channel does not play the programme after NaN/inf (750 Hz share $frac)"
within "$rms" -15.3 -14.7 || fail "after NaN/inf the programme came out at $rms dBFS RMS, want -15.01"
grep -q 'channel 1: .* no audio' "$FOH_SESSION/fohd.log" \
  || fail "fohd's log does not say channel 1 received NaN/inf: $(tail -n 5 "$FOH_SESSION/fohd.log")"
note "$(grep -m1 'no audio' "$FOH_SESSION/fohd.log")"
