#!/usr/bin/env bash
# Silence is a level (README, "Content detection"): a 0.5 s decision is
# silence when the last 1.5 s of signal are all under -70 dBFS RMS
# (BS.1770's absolute gate), whatever else the signal is. A signal made
# with numpy — noise at -20 dBFS, a fade-out at 12 dB/s into digital
# silence, noise again, a 3 s stretch at -65 dBFS (quiet but over the
# gate), noise — goes through the detector as fohd runs it (fohctl content
# classify --timeline); numpy measures the same file independently and
# says which ticks are silent. Every tick more than one tick away from a
# change in that truth must agree with it (one tick of slack for the
# detector's 20 ms frame grid against the 0.5 s blocks).
set -u
fohctl=$FOHCTL
py=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$py" -c "import numpy" 2>/dev/null || { echo "SKIP: python3-numpy missing (tools/dev/foh-dev deps)"; exit 77; }
export FOH_CONTENT_STYLES=$FOH_SRCDIR/data/content/styles
"$py" - "$T/signal.wav" "$T/truth.txt" <<'PY' || fail "numpy"
import sys, wave
import numpy as np
rate = 48000
rng = np.random.default_rng(17)
def noise(seconds, db):
    x = rng.standard_normal(int(seconds * rate))
    return x / np.sqrt(np.mean(x ** 2)) * 10 ** (db / 20)
fade = noise(6.0, -20.0) * 10 ** (-12.0 * np.arange(int(6.0 * rate)) / rate / 20)
x = np.concatenate([noise(4.0, -20.0), fade, np.zeros(3 * rate), noise(4.0, -20.0),
                    noise(3.0, -65.0), noise(4.0, -20.0)])
pcm = np.clip(np.round(x * 32767), -32768, 32767).astype("<i2")
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(pcm.tobytes())
# the truth from the 16-bit file as written
y = pcm.astype(np.float64) / 32768
n = rate // 2
k = len(y) // n
db = 10 * np.log10((y[:k * n].reshape(k, n) ** 2).mean(axis=1) + 1e-30)
quiet = db < -70.0
with open(sys.argv[2], "w") as f:
    for i in range(k):          # tick i+1 ends block i
        f.write("%d %d\n" % (i + 1, int(i >= 2 and quiet[i - 2:i + 1].all())))
PY
"$fohctl" content classify --timeline "$T/signal.wav" >"$T/timeline.txt" || fail "fohctl content classify"
awk '$1 ~ /^[0-9.]+$/ { printf "%d %s\n", $1 / 0.5 + 0.5, $2 }' "$T/timeline.txt" >"$T/decided.txt"
"$py" - "$T/truth.txt" "$T/decided.txt" <<'PY' || exit 1
import sys
truth = dict(tuple(map(int, l.split())) for l in open(sys.argv[1]))
decided = dict((int(a), b) for a, b in (l.split() for l in open(sys.argv[2])))
bad, scored, silent = [], 0, 0
for t, s in truth.items():
    if t not in decided or t <= 4:
        continue
    if any(truth.get(u, s) != s for u in (t - 1, t + 1)):
        continue
    scored += 1
    silent += s
    if (decided[t] == "silence") != bool(s):
        bad.append("%.1f s: %s, the truth %s" % (t / 2, decided[t], "silence" if s else "not silence"))
print("# %d ticks scored, %d of them silent in the truth" % (scored, silent))
if silent < 4 or scored < 40:
    print("FAIL: too little scored"); sys.exit(1)
if bad:
    print("FAIL: " + "; ".join(bad[:8])); sys.exit(1)
PY
echo "# every tick away from a change agrees with the level truth"
