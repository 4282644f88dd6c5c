#!/usr/bin/env python3
"""Synthetic music for the content tests (stdlib only).

  programme.py music OUT.wav SECONDS [SEED]
      48 kHz mono 16-bit: a I-vi-IV-V chord progression at 120 BPM
      (detuned sawtooth voices with a decaying envelope), a bass note and a
      kick on every beat, noise hi-hats on the eighths, a plucked melody
      line; peak about -6 dBFS. SEED varies the melody and the key.
  programme.py drone OUT.wav SECONDS [SEED]
      sustained, slowly swelling detuned chords with no drums or attacks:
      another "style" for the learning tests.
"""
import math
import random
import struct
import sys
import wave

RATE = 48000


def saw(phase):
    return 2.0 * (phase - math.floor(phase + 0.5))


def music(path, seconds, seed=1):
    rnd = random.Random(seed)
    n = int(seconds * RATE)
    beat = RATE // 2                      # 120 BPM
    root = 220.0 * 2 ** (rnd.randint(-3, 3) / 12)
    chords = [[0, 4, 7], [9, 12, 16], [5, 9, 12], [7, 11, 14]]
    scale = [0, 2, 4, 5, 7, 9, 11, 12]
    out = [0.0] * n
    for b in range(n // beat + 1):
        start = b * beat
        chord = chords[(b // 4) % 4]
        notes = [root * 2 ** (s / 12) for s in chord]
        bass = root / 2 * 2 ** (chord[0] / 12)
        mel = root * 2 * 2 ** (rnd.choice(scale) / 12)
        for i in range(beat):
            k = start + i
            if k >= n:
                break
            t = k / RATE
            env = math.exp(-3.0 * i / beat)
            v = 0.0
            for f in notes:
                v += 0.08 * env * (saw(f * t) + saw(f * 1.003 * t))
            v += 0.25 * env * math.sin(2 * math.pi * bass * t)
            # kick: a falling sine burst
            if i < 4800:
                kf = 50 + 100 * math.exp(-i / 600)
                v += 0.5 * math.exp(-i / 1500) * math.sin(2 * math.pi * kf * i / RATE)
            # hi-hat on the eighths
            j = i % (beat // 2)
            if j < 1200:
                v += 0.06 * math.exp(-j / 300) * (rnd.random() * 2 - 1)
            # melody: a plucked note on the off-beat
            if i >= beat // 2:
                m = i - beat // 2
                v += 0.15 * math.exp(-m / 4000) * saw(mel * m / RATE)
            out[k] += v
    peak = max(abs(x) for x in out) or 1.0
    g = 0.5 / peak
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(x * g * 32767)) for x in out))


def drone(path, seconds, seed=1):
    rnd = random.Random(seed)
    n = int(seconds * RATE)
    root = 110.0 * 2 ** (rnd.randint(-3, 3) / 12)
    chords = [[0, 7, 12, 16], [5, 12, 17, 21], [-3, 4, 9, 12], [2, 9, 14, 17]]
    frames = bytearray()
    for k in range(n):
        t = k / RATE
        c = chords[int(t / 3.0) % 4]
        swell = 0.6 + 0.4 * math.sin(2 * math.pi * 0.2 * t)
        v = 0.0
        for s in c:
            f = root * 2 ** (s / 12)
            v += math.sin(2 * math.pi * f * t) + 0.3 * math.sin(2 * math.pi * f * 2.001 * t)
        frames += struct.pack("<h", int(0.09 * swell * v * 32767))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "drone":
        drone(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1)
        sys.exit(0)
    if len(sys.argv) < 4 or sys.argv[1] != "music":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    music(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 1)
