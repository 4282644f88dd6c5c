#!/usr/bin/env bash
# A mono channel with a stereo effect has a stereo output: with no effect
# its playback stream is mono (audio.channels 1; WirePlumber may still give
# it two ports, upmixed inside the stream's adapter); turning the reverb on
# makes the stream two channels, as its audio.channels says;
# a burst played into the channel comes out with a decorrelated stereo
# tail (interchannel correlation below 0.3, computed here from the
# recording of the sink's monitor); turning the reverb off keeps two ports
# (the tail rings out, nothing is re-linked twice).
# Under the sanitizers (a slower fohd) the reverb is turned on while the
# capture still runs cycles: a capture that kept the buffers it got while
# the playback was being made anew stalled for good (no levels, silence).
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
printf '[daemon]\nchannels = 1\n[channel.1]\naudio-channels = 1\ncomp-enabled = false\n' >"$conf"
start_fohd --config "$conf"
wait_for 5 pw_client_running foh.ch1.playback || fail "channel 1 is not in the graph"

# playback_shape: "<audio.channels> <output ports>" of foh.ch1.playback.
playback_shape() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
node = None
for o in objs:
    props = (o.get("info") or {}).get("props") or {}
    if o.get("type", "").endswith(":Node") and props.get("node.name") == "foh.ch1.playback":
        node = o
if node is None:
    print("none"); sys.exit(0)
ports = [o for o in objs if o.get("type", "").endswith(":Port")
         and str(((o.get("info") or {}).get("props") or {}).get("node.id")) == str(node["id"])
         and o["info"]["props"].get("port.direction") == "out"
         and not o["info"]["props"].get("port.monitor")]
print(node["info"]["props"].get("audio.channels"), len(ports))'
}
# shape_is CHANNELS: the stream has CHANNELS and at least that many ports.
shape_is() {
  local c p
  read -r c p < <(playback_shape)
  [ "$c" = "$1" ] && [ "${p:-0}" -ge "$1" ]
}

wait_for 5 shape_is 1 || fail "a mono channel without effects: playback is $(playback_shape), want 1 channel"

chset 1 ReverbMix d 100
chset 1 ReverbDecaySec d 1.5
chset 1 ReverbEnabled b true
wait_for 5 shape_is 2 || fail "with the reverb on: playback is $(playback_shape), want 2 channels"
[ "$(chprop 1 AudioChannels)" = 1 ] || fail "the channel's input stays mono"

# 0.3 s of silence (the links of the stream that just became stereo
# settle), a 50 ms 1 kHz burst, then 1.5 s of silence, mono
python3 - "$FOH_SESSION/burst.wav" <<'PY'
import math, struct, sys, wave
rate = 48000
lead = rate * 3 // 10
x = [0.5 * math.sin(2 * math.pi * 1000 * (i - lead) / rate)
     if lead <= i < lead + rate // 20 else 0.0
     for i in range(lead + rate * 3 // 2)]
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<h", int(v * 32767)) for v in x))
PY
# tail_is_stereo: the recording holds the burst and a decorrelated tail.
tail_is_stereo() {
python3 - "$FOH_SESSION/out.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2, "recording is not stereo"
n = w.getnframes()
data = struct.unpack("<%dh" % (2 * n), w.readframes(n))
L, R = data[0::2], data[1::2]
# the burst: first frame above -40 dBFS (the output is fully wet: the
# reverb's first reflections, whose peak can stay under -20 dBFS); the
# tail: from 100 ms after the burst's end
start = next((i for i, v in enumerate(L) if abs(v) > 327), None)
assert start is not None, "no burst in the recording"
a, b = start + 4800 + 2400, start + 4800 + 24000
l, r = L[a:b], R[a:b]
ll = sum(v * v for v in l); rr = sum(v * v for v in r); lr = sum(x * y for x, y in zip(l, r))
assert ll > 0 and rr > 0, "no tail on one side"
c = lr / math.sqrt(ll * rr)
tail_db = 10 * math.log10(ll / len(l)) - 20 * math.log10(32768)
print(f"# tail level {tail_db:.1f} dBFS, interchannel correlation {c:.3f}")
assert tail_db > -70, "the tail is silent"
assert abs(c) < 0.3, f"correlation {c:.3f}, want below 0.3"
PY
}
# a recording that missed graph cycles (a loaded machine) may have lost
# the burst: played once more then
through_channel 1 "$FOH_SESSION/burst.wav" "$FOH_SESSION/out.wav"
if ! tail_is_stereo; then
  [ "$(rec_missed)" != 0 ] || fail "the reverb tail of a mono channel is not stereo"
  echo "# the recording missed $(rec_missed) cycles: once more"
  through_channel 1 "$FOH_SESSION/burst.wav" "$FOH_SESSION/out.wav"
  tail_is_stereo || fail "the reverb tail of a mono channel is not stereo"
fi

chset 1 ReverbEnabled b false
sleep 0.5
shape_is 2 || fail "reverb off: the output went back to $(playback_shape) (want it to stay stereo)"
echo "ok: mono channel with reverb plays a stereo tail"
