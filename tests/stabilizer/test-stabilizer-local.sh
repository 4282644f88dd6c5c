#!/usr/bin/env bash
# The stabilizer in local mode (no desk): it switches on channel 1's RT
# leveler at its target and leaves the channel's Gain alone. A 1 kHz programme steps -20 → -5 →
# -20 dBFS (a +15 dB and a -15 dB step, 50 s each) and the short-term
# loudness of what the channel plays, measured by libebur128 on a recording
# of the sink, must be within ±1.5 LU of the target for at least 90 % of the
# non-silent time (the first 3 s, while the short-term window fills with
# the programme, are not judged: no gain could change them).
#
# Each step costs the recording ~3 s out of the band however fast the
# leveler is: the 3 s short-term window sees the old level on one side and
# the new on the other. (fast-tau-s below is a two-speed knob the leveler
# does not use; kept to show an X32 knob set does not disturb local mode.)
set -u
. "$FOH_TESTS/lib.sh"

target=-30
cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
comp-enabled = false
limiter-enabled = false
[stabilizer]
source = channel/1
output = channel/1
target-db = $target
fast-tau-s = 1
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"

stab set-property Enabled b true || fail "enabling was refused"
not_idle() { ! sprop State | grep -q idle; }
wait_for 5 not_idle || fail "the loop did not start: State $(sprop State)"
gain_before=$(chprop 1 Gain)

python3 "$FOH_TESTS/tools/audio.py" steps "$FOH_SESSION/programme.wav" 1000 50 -20 -5 -20
# what the loop did, for the failure report: gain, level, state every 0.5 s
trace() {
  while :; do
    echo "$(date +%s.%N) $(chprop 1 Gain) $(sprop LevelDb) $(sprop State)"
    sleep 0.5
  done
}
trace >"$FOH_SESSION/loop.txt" &
tracer=$!
record_sink "$FOH_SESSION/out.wav"
pw-play --target foh.ch1.capture "$FOH_SESSION/programme.wav" || fail "pw-play failed"
stop rec
kill "$tracer"
note "gain while riding the last phase: $(chprop 1 Gain) dB, leveler $(chprop 1 LevelerGainDb) dB, state $(sprop State)"
[ "$(chprop 1 Gain)" = "$gain_before" ] || fail "local mode moved Gain to $(chprop 1 Gain)"

"$LUFS_SERIES" "$FOH_SESSION/out.wav" >"$FOH_SESSION/lufs.txt" || fail "lufs-series failed"
if ! python3 - "$FOH_SESSION/lufs.txt" "$target" <<'PY'; then
import sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
target = float(sys.argv[2])
# non-silent: from the first to the last 100 ms block whose momentary
# loudness shows the programme (the recording starts and ends in silence)
live = [i for i, (t, s, m) in enumerate(rows) if m > -70]
if not live:
    sys.exit("the recording is silent")
start_t = rows[live[0]][0] + 3.0
judged = [(t, s) for t, s, m in rows[live[0]:live[-1] + 1] if t >= start_t]
inside = sum(abs(s - target) <= 1.5 for t, s in judged)
share = inside / len(judged)
worst = max(judged, key=lambda r: abs(r[1] - target))
print(f"# short-term loudness within ±1.5 LU of {target}: {100 * share:.1f} % of "
      f"{len(judged) / 10:.1f} s (worst {worst[1]:.1f} LUFS at {worst[0] - start_t + 3:.1f} s)")
# the settled level of each phase: the last 5 s of every 50 s phase
for k in range(3):
    end = start_t - 3 + 50 * (k + 1)
    tail = [s for t, s in judged if end - 5 <= t < end]
    if tail:
        print(f"# phase {k + 1}: {sum(tail) / len(tail):.2f} LUFS at its end")
sys.exit(0 if share >= 0.90 else 1)
PY
  awk 'NR == 1 { t0 = $1 } NR % 4 == 1 { printf "# loop at %5.1f s: gain %s level %s state %s\n", $1 - t0, $2, $3, $4 }' \
    "$FOH_SESSION/loop.txt"
  fail "the loudness did not hold (see above)"
fi

# Disabling gives the channel back the gain it had when the loop started.
stab set-property Enabled b false
idle() { sprop State | grep -q idle; }
wait_for 3 idle || fail "State $(sprop State) after disabling"
[ "$(chprop 1 Gain)" = "$gain_before" ] || fail "Gain is $(chprop 1 Gain) after disabling, was $gain_before"
echo "ok: local mode holds the channel's loudness"
