#!/usr/bin/env python3
"""Test signals and measurements for the deck tests (stdlib only).

  deckaudio.py tone OUT.wav HZ SECONDS [RATE]      a -6 dBFS stereo sine, 16-bit
  deckaudio.py clicks OUT.wav SECONDS PERIOD [--invert]
                                                   one-sample clicks (+0.5, or
                                                   -0.5 inverted) every PERIOD s
  deckaudio.py tonestats IN.wav                    "duration_s freq_hz" of the
                                                   sound in IN: duration from the
                                                   first to the last sample above
                                                   -30 dBFS, frequency from the
                                                   zero crossings of its middle 80 %
  deckaudio.py peak IN.wav                         peak |sample| of the left channel
"""
import math
import os
import struct
import sys
import wave

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from audio import read  # noqa: E402


def write(path, rate, frames):
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<hh", v, v) for v in frames))


def tone(path, hz, seconds, rate=48000):
    n = int(seconds * rate)
    write(path, rate, [int(round(0.5 * 32767 * math.sin(2 * math.pi * hz * i / rate)))
                       for i in range(n)])


def clicks(path, seconds, period, invert, rate=48000):
    n = int(seconds * rate)
    v = -16384 if invert else 16384
    step = int(period * rate)
    write(path, rate, [v if i % step == step // 2 else 0 for i in range(n)])


def tonestats(path):
    rate, chans = read(path)
    x = chans[0]
    thr = 10 ** (-30 / 20)
    active = [i for i, v in enumerate(x) if abs(v) > thr]
    if not active:
        return 0.0, 0.0
    a, b = active[0], active[-1]
    lo, hi = a + (b - a) // 10, b - (b - a) // 10
    ups = [i for i in range(lo, hi) if x[i - 1] < 0.0 <= x[i]]
    if len(ups) < 2:
        return (b - a + 1) / rate, 0.0
    # sub-sample crossing times, first to last: cycles / time
    def t(i):
        return i - 1 + (-x[i - 1]) / (x[i] - x[i - 1])
    freq = (len(ups) - 1) / ((t(ups[-1]) - t(ups[0])) / rate)
    return (b - a + 1) / rate, freq


def main():
    cmd = sys.argv[1]
    if cmd == "tone":
        tone(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]),
             int(sys.argv[5]) if len(sys.argv) > 5 else 48000)
    elif cmd == "clicks":
        clicks(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), "--invert" in sys.argv)
    elif cmd == "tonestats":
        d, f = tonestats(sys.argv[2])
        print(f"{d:.4f} {f:.2f}")
    elif cmd == "peak":
        _, chans = read(sys.argv[2])
        print(f"{max(abs(v) for v in chans[0]):.6f}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
