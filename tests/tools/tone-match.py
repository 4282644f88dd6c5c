#!/usr/bin/env python3
"""tone-match.py IN.wav HZ [--from S] [--to S]: how much of a recording is a
sine at HZ. Prints "fraction rms_dbfs": the share of the window's power
(loudest channel) at HZ, by the Goertzel algorithm over whole periods, and
the window's RMS in dBFS. A recording of a pure HZ tone gives a fraction
near 1; silence, noise or another tone give near 0. Stdlib only."""
import math
import sys
import wave
import struct


def main():
    args = sys.argv[1:]
    path, hz = args[0], float(args[1])
    start = end = None
    if "--from" in args:
        start = float(args[args.index("--from") + 1])
    if "--to" in args:
        end = float(args[args.index("--to") + 1])
    with wave.open(path, "rb") as w:
        ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    if width == 2:
        vals = struct.unpack("<%dh" % (len(raw) // 2), raw)
        scale = 32768.0
    elif width == 4:
        vals = struct.unpack("<%di" % (len(raw) // 4), raw)
        scale = 2147483648.0
    else:
        raise SystemExit(f"{width}-byte samples not supported")
    a = int((start or 0) * rate)
    b = min(n, int(end * rate)) if end is not None else n
    best = (0.0, -120.0)
    for c in range(ch):
        x = [vals[i * ch + c] / scale for i in range(a, b)]
        # whole periods of HZ: no leakage from the window's edges
        m = int(int(len(x) * hz / rate) * rate / hz)
        x = x[:m]
        if m == 0:
            continue
        power = sum(v * v for v in x) / m
        k = 2 * math.cos(2 * math.pi * hz / rate)
        s1 = s2 = 0.0
        for v in x:
            s1, s2 = v + k * s1 - s2, s1
        amp2 = (s1 * s1 + s2 * s2 - k * s1 * s2) * 4 / (m * m)
        tone_power = amp2 / 2
        frac = tone_power / power if power > 0 else 0.0
        rms = 10 * math.log10(power) if power > 0 else -120.0
        if rms > best[1]:
            best = (frac, rms)
    print(f"{best[0]:.4f} {best[1]:.2f}")


if __name__ == "__main__":
    main()
