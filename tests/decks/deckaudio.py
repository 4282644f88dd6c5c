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
  deckaudio.py windowfreq IN.wav                   the median over the 100 ms
                                                   windows of IN's sound of the
                                                   frequency from each window's
                                                   zero crossings: the pitch
                                                   between gaps a recording
                                                   that missed cycles holds
  deckaudio.py peak IN.wav                         peak |sample| of the left channel
  deckaudio.py level IN.wav                        the median peak of the 10 ms windows
                                                   of the left channel that are not
                                                   silent (above 1 %): a steady level
  deckaudio.py fade IN.wav                         "seconds at_25% at_50% at_75%" of
                                                   a fade out in IN: from the first
                                                   10 ms window below 97 % of the
                                                   loudest to the first below 3 %,
                                                   and the level at a quarter, half
                                                   and three quarters of the way,
                                                   relative to the loudest
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


def active_span(x):
    """First and last index above -30 dBFS, or None when all is quieter."""
    thr = 10 ** (-30 / 20)
    active = [i for i, v in enumerate(x) if abs(v) > thr]
    return (active[0], active[-1]) if active else None


def crossing_freq(x, lo, hi, rate):
    """Cycles per second from the upward zero crossings in x[lo:hi], first
    to last at sub-sample times; None with fewer than two."""
    ups = [i for i in range(lo, hi) if x[i - 1] < 0.0 <= x[i]]
    if len(ups) < 2:
        return None

    def t(i):
        return i - 1 + (-x[i - 1]) / (x[i] - x[i - 1])
    return (len(ups) - 1) / ((t(ups[-1]) - t(ups[0])) / rate)


def tonestats(path):
    rate, chans = read(path)
    x = chans[0]
    span = active_span(x)
    if span is None:
        return 0.0, 0.0
    a, b = span
    freq = crossing_freq(x, a + (b - a) // 10, b - (b - a) // 10, rate)
    return (b - a + 1) / rate, freq or 0.0


def windowfreq(path):
    rate, chans = read(path)
    x = chans[0]
    span = active_span(x)
    if span is None:
        return 0.0
    win = rate // 10
    freqs = [f for f in (crossing_freq(x, lo, lo + win, rate)
                         for lo in range(span[0] + 1, span[1] - win, win))
             if f is not None]
    if not freqs:
        return 0.0
    freqs.sort()
    return freqs[len(freqs) // 2]


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
    elif cmd == "windowfreq":
        print(f"{windowfreq(sys.argv[2]):.2f}")
    elif cmd == "level":
        rate, chans = read(sys.argv[2])
        x, w = chans[0], rate // 100
        peaks = sorted(p for p in (max(abs(v) for v in x[i:i + w])
                                   for i in range(0, len(x) - w, w)) if p > 0.01)
        print(f"{peaks[len(peaks) // 2]:.6f}")
    elif cmd == "fade":
        rate, chans = read(sys.argv[2])
        x, w = chans[0], rate // 100
        peaks = [max(abs(v) for v in x[i:i + w]) for i in range(0, len(x) - w, w)]
        loud = max(range(len(peaks)), key=lambda i: peaks[i])
        # the steady level: the median of the 20 windows from the loudest on
        top = sorted(peaks[loud:loud + 20])[10]
        a = next(i for i in range(loud, len(peaks)) if peaks[i] < 0.97 * top)
        b = next(i for i in range(a, len(peaks)) if peaks[i] < 0.03 * top)
        at = [peaks[a + round((b - a) * q)] / top for q in (0.25, 0.5, 0.75)]
        print(f"{(b - a) * w / rate:.3f} {at[0]:.3f} {at[1]:.3f} {at[2]:.3f}")
    elif cmd == "peak":
        _, chans = read(sys.argv[2])
        print(f"{max(abs(v) for v in chans[0]):.6f}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
