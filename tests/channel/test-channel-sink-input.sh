#!/usr/bin/env bash
# A channel whose Input is a sink captures that sink's monitor — what plays
# into it — not the default source (before, it linked the null "microphone"
# and recorded silence). Two ways in: the Input set in the config before
# the sink exists (fohd re-makes the stream when the sink appears), and the
# Input set over D-Bus to a sink that is there. A 750 Hz programme at
# -12 dBFS peak plays into the sink with pw-play; the recording of the
# channel's output (dynamics off, unity) must be that tone (Goertzel, in
# audio.py tonematch: share >= 0.95, where the null source would give 0) at
# -15 dBFS RMS (-12 dBFS peak sine: -12 - 3.01).
set -u
. "$FOH_TESTS/lib.sh"

# capture_linked_to SINK: channel 1's capture has a link from SINK's monitor.
capture_linked_to() {
  pw-link -l 2>/dev/null | grep -A2 '^foh.ch1.capture:' | grep -q "|<- $1:monitor_"
}

# check_programme SINK WHAT: plays the programme into SINK while recording
# channel 1's output; the output must be the programme.
# A recording that missed graph cycles (a loaded machine: the sink played
# silence in them) and fails is made once more.
check_programme() {
  local sink=$1 what=$2 frac rms try
  for try in 1 2; do
    record_sink "$FOH_SESSION/out.wav"
    pw-play --target "$sink" "$FOH_SESSION/prog.wav" || fail "pw-play into $sink failed"
    stop rec
    read -r frac rms < <(python3 "$FOH_TESTS/tools/audio.py" tonematch "$FOH_SESSION/out.wav" 750 \
      --from 0.5 --to 1.5 --onset)
    note "$what: 750 Hz share $frac, $rms dBFS RMS (the recorder missed $(rec_missed) graph cycles)"
    if within "$frac" 0.95 1.01 && within "$rms" -15.3 -14.7; then
      return 0
    fi
    [ "$(rec_missed)" != 0 ] || break
  done
  within "$frac" 0.95 1.01 || fail "$what: the output is not the programme (750 Hz share $frac)"
  within "$rms" -15.3 -14.7 || fail "$what: the programme came out at $rms dBFS RMS, want -15.01"
}

python3 "$FOH_TESTS/tools/audio.py" tone "$FOH_SESSION/prog.wav" 750 -12 2

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
input = prog-sink
comp-enabled = false
limiter-enabled = false
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"

# The sink comes after the channel's stream: fohd makes it again for the monitor.
null_sink prog-sink
wait_for 10 capture_linked_to prog-sink \
  || fail "channel 1 is not linked to prog-sink's monitor: $(pw-link -l | grep -A2 foh.ch1.capture)"
check_programme prog-sink "Input set before the sink existed"

# Set over D-Bus to a sink that is there.
null_sink other-sink
chset 1 Input s other-sink
wait_for 10 capture_linked_to other-sink \
  || fail "channel 1 is not linked to other-sink's monitor: $(pw-link -l | grep -A2 foh.ch1.capture)"
check_programme other-sink "Input set to a sink over D-Bus"
