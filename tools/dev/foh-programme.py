#!/usr/bin/env python3
"""foh-programme.py OUT.wav: writes the demo programme, 32 s of 48 kHz stereo.

Speech-like passages (noise shaped like a voice's spectrum, syllables at
about 4 Hz, phrase pauses), music-like passages (a chord with a beat), level
steps of +15 and -15 dB around a -20 dBFS programme, and silences — what a
channel strip meets in a streaming booth. Standard library only."""
import math
import random
import struct
import sys
import wave

RATE = 48000


def speech(seconds, level_db):
    out, lp, bp = [], 0.0, 0.0
    amp = 10 ** (level_db / 20) * 2.5
    rnd = random.Random(7)
    for i in range(int(seconds * RATE)):
        t = i / RATE
        phrase = 1.0 if (t % 2.5) < 2.0 else 0.0          # 0.5 s pause per phrase
        syllable = max(0.0, math.sin(2 * math.pi * 4.1 * t)) ** 2
        x = rnd.uniform(-1, 1)
        lp += 0.25 * (x - lp)                               # darker than white noise
        bp += 0.08 * (lp - bp)
        voiced = 0.5 * math.sin(2 * math.pi * 140 * t) * syllable
        out.append(amp * phrase * (syllable * (lp - bp) + voiced))
    return out


def music(seconds, level_db):
    amp = 10 ** (level_db / 20) / 2.2
    freqs = (220.0, 277.18, 329.63, 440.0)
    out = []
    for i in range(int(seconds * RATE)):
        t = i / RATE
        beat = 0.55 + 0.45 * math.exp(-((t * 2.0) % 1.0) * 6)   # 120 BPM pulse
        v = sum(math.sin(2 * math.pi * f * t) / (k + 1) for k, f in enumerate(freqs))
        out.append(amp * beat * v)
    return out


def silence(seconds):
    return [0.0] * int(seconds * RATE)


def main():
    programme = (speech(6, -20) + silence(1.5) + music(6, -20) + speech(4, -5) +
                 silence(1) + speech(4, -35) + music(4, -5) + silence(1.5) + music(4, -35))
    with wave.open(sys.argv[1], "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        frames = bytearray()
        for v in programme:
            s = max(-32767, min(32767, int(v * 32767)))
            frames += struct.pack("<hh", s, s)
        w.writeframes(bytes(frames))


if __name__ == "__main__":
    main()
