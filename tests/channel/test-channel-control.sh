#!/usr/bin/env bash
# Channel control: the Levels signal at the meter rate with a VU that matches
# the recorded level, settings persisted atomically and restored on restart,
# the test tone, hot reload (added/removed channels, unchanged ones keep
# their streams), PipeWire restart recreating the streams.
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
printf '[daemon]\nchannels = 2\n[channel.1]\ncomp-enabled = false\nlimiter-enabled = false\n' >"$conf"
start_fohd --config "$conf"
wait_for 5 pw_client_running foh.ch2.capture || fail "channels are not in the graph"
[ "$(prop Channels)" = '2 "/org/foh/Foh1/channel/1" "/org/foh/Foh1/channel/2"' ] \
  || fail "Channels is $(prop Channels)"

# The limiter's lookahead is reported to PipeWire on the output ports.
lat=$(chprop 1 LatencyFrames)
[ "$lat" -ge 1 ] && [ "$lat" -le 64 ] || fail "LatencyFrames is $lat, want 1..64 at 48 kHz"
pid=$(node_id foh.ch1.playback)
port_latency() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    info = o.get("info") or {}
    props = info.get("props") or {}
    if o["type"].endswith(":Port") and str(props.get("node.id")) == sys.argv[1] \
            and props.get("port.direction") == "out":
        for l in (info.get("params") or {}).get("Latency", []):
            if l["direction"] == "Output":
                print(l["minRate"]); sys.exit(0)' "$pid"
}
[ "$(port_latency)" = "$lat" ] || fail "playback port latency $(port_latency), want $lat"

# Levels at 10 Hz while a -20 dBFS tone plays, VU within 0.5 dB of the recording.
tone "$FOH_SESSION/t.wav" 1000 -20 3
stdbuf -oL busctl --user monitor --json=short org.foh.Foh1 >"$FOH_SESSION/monitor.json" 2>/dev/null &
mon=$!
through_channel 1 "$FOH_SESSION/t.wav" "$FOH_SESSION/out.wav"
kill $mon; wait $mon 2>/dev/null
read -r peak rms < <(levels "$FOH_SESSION/out.wav" --from 0.5 --to 2.5)
python3 - "$FOH_SESSION/monitor.json" "$rms" <<'PY' || fail "Levels signal"
import os, sys
sys.path.insert(0, os.environ["FOH_TESTS"] + "/tools")
from busmon import signals  # noqa: E402
rows = signals(sys.argv[1], "Levels", "/org/foh/Foh1/channel/1")
loud = [(t, d) for t, d in rows if d[2] > -40]
assert len(loud) >= 15, f"only {len(loud)} Levels with signal"
span = (loud[-1][0] - loud[0][0]) / 1e6
rate = (len(loud) - 1) / span
print(f"# Levels: {len(loud)} signals with the tone over {span:.2f} s = {rate:.2f} Hz")
assert 9.0 <= rate <= 11.0, f"Levels at {rate:.2f} Hz, want 10 +- 1"
mid = [d for t, d in loud[3:-3]]
vu = sorted(d[2] for d in mid)[len(mid) // 2]
rec = float(sys.argv[2])
print(f"# VU {vu:.2f} dBFS, recorded RMS {rec:.2f} dBFS")
assert abs(vu - rec) <= 0.5, f"VU {vu} vs recorded {rec}"
PY

# A set is persisted (atomically, debounced) and survives a restart.
chset 2 Name s "Host mic"
chset 2 CompThreshold d -24.5
wait_for 10 grep -q '^comp-threshold=-24.5$' "$conf" || fail "CompThreshold was not saved: $(cat "$conf")"
grep -q '^name=Host mic$' "$conf" || fail "Name was not saved"
ls "$FOH_SESSION" | grep -q 'foh.conf.tmp' && fail "a temporary file was left behind"
described() { pw-dump 2>/dev/null | grep -q '"node.description": "foh Channel 2 (Host mic)"'; }
wait_for 3 described || fail "the node description does not follow the name"
stop fohd || fail "fohd did not exit cleanly"
start_fohd --config "$conf"
[ "$(chprop 2 CompThreshold)" = "-24.5" ] || fail "CompThreshold not restored: $(chprop 2 CompThreshold)"
[ "$(chprop 2 Name)" = '"Host mic"' ] || fail "Name not restored"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not back"

# The test tone plays through the channel's output at its level.
record_sink "$FOH_SESSION/tone.wav"
busctl --user -- call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 440 1 -12 \
  || fail "PlayTestTone failed"
tone_on_meter() { [ "$(chprop 1 PeakDb)" != "-120" ]; }
wait_for 5 tone_on_meter || fail "the tone does not show on the meter"
# the tone lasts 1 s: wait until the channel's 100 ms RMS says it ended
tone_over() { [ "$(chprop 1 RmsDb)" = "-120" ]; }
wait_for 5 tone_over || fail "the tone did not end: RMS $(chprop 1 RmsDb)"
stop rec
read -r peak rms < <(levels "$FOH_SESSION/tone.wav")
note "test tone at -12 dBFS: recorded peak $peak dBFS"
within "$peak" -12.2 -11.8 || fail "test tone came out at $peak dBFS"
busctl --user -- call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 9 440 1 -12 \
  2>/dev/null && fail "PlayTestTone on a missing channel was accepted"
busctl --user -- call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 440 1 6 \
  2>/dev/null && fail "PlayTestTone above 0 dBFS was accepted"

# Effects: every property is settable and persisted; a bad value (NaN,
# infinity, out of range, an unknown sync division) is refused with
# InvalidArgument and changes nothing.
chset 2 ReverbEnabled b true
chset 2 ReverbDecaySec d 2.5
chset 2 ReverbMix d 30
chset 2 DelayEnabled b true
chset 2 DelayTimeMs d 250
chset 2 DelayPingPong b true
chset 2 ChorusEnabled b true
chset 2 ChorusVoices u 4
chset 2 Width d 150
chset 2 DelaySync s 1/8d
# the last one set first: a save between two sets held the earlier ones only
wait_for 10 grep -q '^delay-sync=1/8d$' "$conf" || fail "DelaySync was not saved: $(cat "$conf")"
grep -q '^width=150$' "$conf" || fail "Width was not saved"
grep -q '^reverb-decay=2.5$' "$conf" || fail "ReverbDecaySec was not saved"
grep -q '^chorus-voices=4$' "$conf" || fail "ChorusVoices was not saved"
# refused PROPERTY VALUE (GVariant text): Set fails with
# org.foh.Foh1.Error.InvalidArgument and every setting stays as it was.
# gdbus, not busctl, because it prints the error's name.
chstate() {
  gdbus call --session --dest org.foh.Foh1 --object-path /org/foh/Foh1/channel/2 \
    --method org.freedesktop.DBus.Properties.GetAll $CHANNEL_IFACE \
    | tr ',' '\n' | grep -v -e Db -e Lufs -e Xruns | tr -d '\n'
}
fx_refusals=0
refused() {
  local before out
  before=$(chstate)
  out=$(gdbus call --session --dest org.foh.Foh1 --object-path /org/foh/Foh1/channel/2 \
    --method org.freedesktop.DBus.Properties.Set -- $CHANNEL_IFACE "$1" "$2" 2>&1) \
    && fail "$1=$2 was accepted"
  case "$out" in
    *"org.foh.Foh1.Error.InvalidArgument:"*) ;;
    *) fail "$1=$2: want org.foh.Foh1.Error.InvalidArgument, got: $out" ;;
  esac
  [ "$(chstate)" = "$before" ] || fail "$1=$2 was refused but the settings changed"
  fx_refusals=$((fx_refusals + 1))
}
for v in nan inf 0.1 11.0; do refused ReverbDecaySec "<$v>"; done
for v in nan -0.5 100.5; do refused ReverbMix "<$v>"; done
for v in -inf -1.0 201.0; do refused ReverbPreDelayMs "<$v>"; done
for v in nan -0.1 1.5; do refused ReverbDamping "<$v>"; done
for v in inf -0.1 1.1; do refused ReverbSize "<$v>"; done
for v in nan 0.5 2001.0; do refused DelayTimeMs "<$v>"; done
for v in nan -1.0 96.0; do refused DelayFeedback "<$v>"; done
for v in inf -1.0 101.0; do refused DelayMix "<$v>"; done
for v in "'1/7'" "'fast'" "'1/4x'" "'1/64'"; do refused DelaySync "<$v>"; done
for v in nan 0.01 6.0; do refused ChorusRateHz "<$v>"; done
for v in nan -1.0 11.0; do refused ChorusDepthMs "<$v>"; done
for v in "uint32 1" "uint32 5"; do refused ChorusVoices "<$v>"; done
for v in nan -1.0 100.5; do refused ChorusMix "<$v>"; done
for v in nan -inf -1.0 201.0; do refused Width "<$v>"; done
note "effects: $fx_refusals bad values refused with InvalidArgument, nothing changed"

# The leveler: settable and persisted; its look-ahead is the channel's
# latency (frames at 48 kHz, on the port too); bad values refused, unchanged.
chset 2 LevelerEnabled b true
chset 2 LevelerTargetLufs d -18
chset 2 LevelerLookaheadSec d 1.5
chset 2 LevelerLookaheadSceneLu d 3.5
chset 2 LevelerQuieterSec d 1.25
chset 2 LevelerModerateLu d 4.5
wait_for 10 grep -q '^leveler-lookahead=1.5$' "$conf" || fail "LevelerLookaheadSec was not saved"
wait_for 10 grep -q '^leveler-lookahead-scene=3.5$' "$conf" || fail "LevelerLookaheadSceneLu was not saved"
wait_for 10 grep -q '^leveler-quieter=1.25$' "$conf" || fail "LevelerQuieterSec was not saved"
wait_for 10 grep -q '^leveler-moderate=4.5$' "$conf" || fail "LevelerModerateLu was not saved"
grep -q '^leveler-target=-18$' "$conf" || fail "LevelerTargetLufs was not saved"
lat2=$(chprop 2 LatencyFrames)
[ "$lat2" = "$((lat + 72000))" ] || fail "LatencyFrames with 1.5 s look-ahead is $lat2, want $((lat + 72000))"
pid2=$(node_id foh.ch2.playback)
port2_is() { [ "$(pid=$pid2 port_latency)" = "$1" ]; }
wait_for 3 port2_is "$lat2" || fail "playback port latency $(pid=$pid2 port_latency), want $lat2"
lev_refusals=$fx_refusals
for v in nan inf -61.0 0.5; do refused LevelerTargetLufs "<$v>"; done
for v in nan -1.0 40.5; do refused LevelerMaxBoostDb "<$v>"; done
for v in -inf -1.0 41.0; do refused LevelerMaxCutDb "<$v>"; done
for v in nan 1.0 31.0; do refused LevelerSceneLu "<$v>"; done
for v in inf 0.1 61.0; do refused LevelerCalmSec "<$v>"; done
for v in nan -91.0 -10.0; do refused LevelerGateLufs "<$v>"; done
for v in nan inf -0.1 3.5; do refused LevelerLookaheadSec "<$v>"; done
for v in nan -inf 1.5 30.5; do refused LevelerLookaheadSceneLu "<$v>"; done
for v in nan inf 0.4 3.5; do refused LevelerQuieterSec "<$v>"; done
for v in nan -inf 1.5 30.5; do refused LevelerModerateLu "<$v>"; done
[ "$(chprop 2 LevelerTargetLufs)" = "-18" ] || fail "LevelerTargetLufs changed to $(chprop 2 LevelerTargetLufs)"
[ "$(chprop 2 LevelerMaxBoostDb)" = "20" ] || fail "LevelerMaxBoostDb changed"
[ "$(chprop 2 LevelerLookaheadSec)" = "1.5" ] || fail "LevelerLookaheadSec changed"
[ "$(chprop 2 LevelerLookaheadSceneLu)" = "3.5" ] || fail "LevelerLookaheadSceneLu changed"
[ "$(chprop 2 LevelerQuieterSec)" = "1.25" ] || fail "LevelerQuieterSec changed"
[ "$(chprop 2 LevelerModerateLu)" = "4.5" ] || fail "LevelerModerateLu changed"
note "leveler: $((fx_refusals - lev_refusals)) bad values refused with InvalidArgument, nothing changed"

# Hot reload: a third channel appears, channel 1 keeps its very streams.
id1=$(node_id foh.ch1.capture)
printf '[daemon]\nchannels = 3\n[channel.1]\ncomp-enabled = false\nlimiter-enabled = false\n[channel.2]\nname=Host mic\ncomp-threshold=-24.5\n' >"$conf"
file_id=$(stat -c '%i %Y' "$conf")
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Reload || fail "reload refused"
wait_for 5 pw_client_running foh.ch3.capture || fail "channel 3 did not appear"
# A reload applies the file; it does not write it back (a save, atomic by
# rename, would replace the file: another inode). One that did could land
# after the user's next edit of the file and undo it — the reload below
# then read the old channel count. 0.6 s: past the 250 ms save debounce.
sleep 0.6
[ "$(stat -c '%i %Y' "$conf")" = "$file_id" ] || fail "the reload wrote the config file back"
id1b=$(node_id foh.ch1.capture)
[ -n "$id1" ] && [ "$id1" = "$id1b" ] || fail "channel 1 was rebuilt by a reload that did not change it ($id1 -> $id1b)"
printf '[daemon]\nchannels = 1\n[channel.1]\ncomp-enabled = false\nlimiter-enabled = false\n' >"$conf"
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Reload || fail "reload refused"
wait_for 10 bash -c '! pw-cli ls Node | grep -q foh.ch2.capture' ||
  fail "channel 2 did not disappear (fohd has channels: $(busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Channels 2>&1); foh nodes: $(pw-cli ls Node 2>&1 | grep -o 'foh\.ch[0-9]*\.[a-z]*' | tr '\n' ' '))"
busctl --user introspect org.foh.Foh1 /org/foh/Foh1/channel/2 >/dev/null 2>&1 \
  && busctl --user introspect org.foh.Foh1 /org/foh/Foh1/channel/2 | grep -q Channel \
  && fail "channel 2's object is still there"

# PipeWire away and back: the streams come back.
stop pipewire KILL
stop wireplumber
wait_for 3 prop_is PipeWireConnected false || fail "still connected"
start_pipewire
start_wireplumber
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 was not recreated after PipeWire returned"
echo "ok: channel control"
