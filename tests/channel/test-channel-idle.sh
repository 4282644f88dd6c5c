#!/usr/bin/env bash
# An idle channel lets the graph suspend, and wakes without losing audio.
# With one channel (a virtual sink, nothing playing into it) and the
# analyzer without destinations (inactive: see the analyzer), every foh node
# — the channel's two streams, the decks, the analyzer — and the test sink
# it plays to are out of the "running" state (pw-dump): the channel's
# playback is passive (node.passive), so its link to the sink does not keep
# the sink's driver going. A recorder on the sink's monitor, passive too,
# keeps it that way. Then pw-play starts a 100 ms 1 kHz burst at -6 dBFS
# that begins at its first sample into the channel: the recording holds
# the burst whole — 100 ms long (within 2 ms) at its RMS (-9.03 dBFS, within
# 0.5 dB) — so the wake from suspend loses nothing at the start. Its
# Levels signal: none while idle, readings with the burst, the first within
# 0.3 s of pw-play's start (the meter tick is at 1 Hz while all is idle and
# the channel's first levels wake it: 0.12 s here, 0.38 s without the wake
# at this test's timing), and once the channel stops running
# one silent reading (peak -120 dBFS), then none.
# The analyzer's Source set to channel/1 makes its playback not passive, and
# set elsewhere passive again.
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
printf "[daemon]\nchannels = 1\n[analyzer]\ndestinations =\n[channel.1]\ncomp-enabled = false\nlimiter-enabled = false\n" >"$conf"
start_fohd --config "$conf"
wait_for 5 pw_client_running foh.ch1.playback || fail "channel 1 is not in the graph"

# running NAME...: prints those of the named nodes that are running.
running() {
  running_nodes | grep -Fx -f <(printf '%s\n' "$@")
}
idle_nodes="foh.ch1.capture foh.ch1.playback foh.decks foh.analyzer foh-test-sink"
none_running() {
  [ -z "$(running $idle_nodes)" ]
}
wait_for 10 none_running || fail "an idle fohd keeps nodes running: $(running $idle_nodes | tr '\n' ' ')"
note "idle: none of $idle_nodes runs"

spawn rec pw-record --target foh-test-sink \
  -P '{ stream.capture.sink = true node.passive = true }' "$FOH_SESSION/out.wav"
wait_for 5 recorder_linked || fail "pw-record was not linked to the test sink"
sleep 0.5
none_running || fail "a passive recorder woke the graph: $(running $idle_nodes | tr '\n' ' ')"

python3 - "$FOH_SESSION/burst.wav" <<'PY'
import math, struct, sys, wave
rate = 48000
x = [0.5 * math.sin(2 * math.pi * 1000 * i / rate + math.pi / 2) if i < rate // 10 else 0.0
     for i in range(rate * 4 // 10)]
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<hh", int(v * 32767), int(v * 32767)) for v in x))
PY
stdbuf -oL busctl --user monitor --json=short org.foh.Foh1 >"$FOH_SESSION/monitor.json" 2>/dev/null &
mon=$!
sleep 1
t_play=$(date +%s%N)
pw-play --target foh.ch1.capture "$FOH_SESSION/burst.wav" || fail "pw-play failed"
sleep 2
kill $mon; wait $mon 2>/dev/null
t_end=$(date +%s%N)
stop rec
python3 - "$FOH_SESSION/monitor.json" "$t_play" "$t_end" <<'PY' || fail "Levels of an idle channel"
import os, sys
sys.path.insert(0, os.environ["FOH_TESTS"] + "/tools")
from busmon import signals  # noqa: E402
t_play, t_end = int(sys.argv[2]) // 1000, int(sys.argv[3]) // 1000
rows = signals(sys.argv[1], "Levels", "/org/foh/Foh1/channel/1")
before = [r for r in rows if r[0] < t_play]
assert not before, f"{len(before)} Levels signals while idle"
loud = [i for i, (t, d) in enumerate(rows) if d[0] > -20]
assert loud, "no Levels with the burst"
# the meter tick slows to 1 Hz while all is idle; the channel's first
# levels wake it, so the burst shows at once, not at the next slow tick
first = (rows[loud[0]][0] - t_play) / 1e6
print(f"# first Levels with the burst {first:.3f} s after pw-play started")
assert first <= 0.3, f"the burst's first Levels came {first:.3f} s after pw-play started"
after = rows[loud[-1] + 1:]
silent = [(t, d) for t, d in after if d[0] <= -120 and d[2] <= -60]
print(f"# Levels: none in 1 s idle, {len(loud)} with the burst, then {len(after)} "
      f"({len(silent)} silent), the last {(t_end - rows[-1][0]) / 1e6:.2f} s before the end")
assert len(silent) == 1 and after[-1][1] == silent[0][1], "not one silent reading at the end"
assert t_end - rows[-1][0] >= 500000, "Levels still sent after the silent reading"
PY
python3 - "$FOH_SESSION/out.wav" <<'PY' || fail "the burst did not arrive whole"
import math, struct, sys, wave
w = wave.open(sys.argv[1])
n, ch, rate = w.getnframes(), w.getnchannels(), w.getframerate()
width = w.getsampwidth()
raw = w.readframes(n)
if width == 2:
    data = [v / 32768 for v in struct.unpack("<%dh" % (n * ch), raw)]
elif width == 4:
    data = list(struct.unpack("<%df" % (n * ch), raw))
else:
    sys.exit(f"unexpected sample width {width}")
L = data[0::ch]
# onset and end: first and last sample above -20 dBFS (the burst starts at
# a crest, 0.5, and every 1 kHz period has samples near it)
above = [i for i, v in enumerate(L) if abs(v) > 0.1]
assert above, "the recording is silent"
a, b = above[0], above[-1]
ms = (b - a + 1) / rate * 1000
seg = L[a:a + rate // 10]
rms = 20 * math.log10(math.sqrt(sum(v * v for v in seg) / len(seg)))
print(f"# burst from {a / rate * 1000:.1f} ms in the recording: {ms:.2f} ms long, RMS {rms:.2f} dBFS")
assert abs(ms - 100.0) <= 2.0, f"the burst lasts {ms:.2f} ms, want 100 +- 2"
assert abs(rms - 20 * math.log10(0.5 / math.sqrt(2))) <= 0.5, f"RMS {rms:.2f} dBFS, want -9.03 +- 0.5"
PY
# The analyzer's source: that channel is not passive (the analyzer would
# stop with it), and is made passive again when the source moves away.
# playback_passive: node.passive of foh.ch1.playback ("none" when absent).
playback_passive() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = (o.get("info") or {}).get("props") or {}
    if o.get("type", "").endswith(":Node") and p.get("node.name") == "foh.ch1.playback":
        print(str(p.get("node.passive", "none")).lower())'
}
passive_is() {
  [ "$(playback_passive)" = "$1" ]
}
passive_is true || fail "channel 1's playback is not passive: $(playback_passive)"
busctl --user set-property org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer \
  Source s channel/1 || fail "Source = channel/1 refused"
wait_for 5 passive_is none || fail "the analyzer's channel is still passive: $(playback_passive)"
busctl --user set-property org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer \
  Source s foh-test-sink || fail "Source = foh-test-sink refused"
wait_for 5 passive_is true || fail "channel 1 is not passive again: $(playback_passive)"

echo "ok: an idle channel lets the graph suspend and wakes with the burst whole"
