#!/usr/bin/env python3
"""Test signals and measurements for foh's integration tests (stdlib only).

  audio.py tone OUT.wav HZ DBFS SECONDS [CHANNELS]   write a sine (peak DBFS), 16-bit
  audio.py steps OUT.wav HZ SECONDS DBFS...        one sine phase of SECONDS per DBFS
                                                    (peak), mono 16-bit, 48 kHz
  audio.py nonfinite OUT.wav HZ DBFS SECONDS        a stereo sine in 32-bit float (48 kHz)
                                                    with samples that are no audio: NaN,
                                                    +inf, -inf, 1e30 in turn, on the left
                                                    at 0.05 s + k x 0.1 s for k = 0..9 (in
                                                    the first second), on the right 7
                                                    frames earlier
  audio.py levels IN.wav [--from S] [--to S]        print peak_dbfs rms_dbfs of the
                                                    loudest channel over the window,
                                                    skipping leading/trailing silence
  audio.py tonematch IN.wav HZ [--from S] [--to S] [--onset]
                                                    print "fraction rms_dbfs": the share of
                                                    the window's power (loudest channel) in
                                                    a sine at HZ (Goertzel over whole
                                                    periods: a pure HZ tone gives near 1,
                                                    silence/noise/another tone near 0);
                                                    --onset: the window's times count from
                                                    the first frame above 1 % of the peak
                                                    (a player that started late does not
                                                    move the window off the tone)
"""
import math
import struct
import sys
import wave


def write_tone(path, hz, dbfs, seconds, channels=2, rate=48000):
    amp = 10 ** (dbfs / 20)
    n = int(seconds * rate)
    frames = bytearray()
    for i in range(n):
        v = int(round(amp * math.sin(2 * math.pi * hz * i / rate) * 32767))
        frames += struct.pack("<" + "h" * channels, *([v] * channels))
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))


def write_nonfinite(path, hz, dbfs, seconds, rate=48000):
    n = int(seconds * rate)
    amp = 10 ** (dbfs / 20)
    odd = (float("nan"), float("inf"), float("-inf"), 1e30)
    bad = {i: odd[k % 4] for k, i in enumerate(range(rate // 20, rate, rate // 10))}
    frames = bytearray()
    for i in range(n):
        s = amp * math.sin(2 * math.pi * hz * i / rate)
        frames += struct.pack("<ff", bad.get(i, s), bad.get(i + 7, s))
    # the wave module writes PCM only: WAVE_FORMAT_IEEE_FLOAT (3) by hand
    fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt +
            b"data" + struct.pack("<I", len(frames)) + bytes(frames))
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def write_steps(path, hz, seconds, levels_dbfs, rate=48000):
    """A sine whose peak level steps through levels_dbfs, seconds each. The
    sine is built from whole periods (hz must divide rate), so each phase
    is one period repeated, and phases join at a zero crossing."""
    period = rate / hz
    if period != int(period):
        raise SystemExit(f"{hz} Hz does not divide {rate}")
    periods = int(seconds * hz)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        for dbfs in levels_dbfs:
            amp = 10 ** (dbfs / 20)
            one = struct.pack("<%dh" % int(period), *(
                int(round(amp * math.sin(2 * math.pi * i / period) * 32767))
                for i in range(int(period))))
            w.writeframes(one * periods)


def read(path):
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
        raise SystemExit(f"unsupported sample width {width}")
    chans = [[vals[i] / scale for i in range(c, len(vals), ch)] for c in range(ch)]
    return rate, chans


def db(x):
    return 20 * math.log10(x) if x > 0 else -200.0


def levels(path, start=None, end=None):
    rate, chans = read(path)
    # The active region: from the first to the last sample above -70 dBFS.
    thr = 10 ** (-70 / 20)
    active = [i for i in range(len(chans[0])) if any(abs(c[i]) > thr for c in chans)]
    if not active:
        return -200.0, -200.0
    a, b = active[0], active[-1]
    lo = a + int((start or 0) * rate)
    hi = a + int(end * rate) if end is not None else b
    best = (-200.0, -200.0)
    for c in chans:
        seg = c[lo:hi]
        if not seg:
            continue
        pk = max(abs(x) for x in seg)
        rms = math.sqrt(sum(x * x for x in seg) / len(seg))
        best = max(best, (db(pk), db(rms)))
    return best


def onset(chans, rel=0.01):
    """The first frame where any channel exceeds REL of the loudest sample
    (0 when all is silent)."""
    peak = max((max((abs(v) for v in c), default=0.0) for c in chans), default=0.0)
    if peak <= 0:
        return 0
    thr = peak * rel
    return min((next((i for i, v in enumerate(c) if abs(v) > thr), len(c)) for c in chans),
               default=0)


def tone_match(path, hz, start=None, end=None, from_onset=False):
    rate, chans = read(path)
    o = onset(chans) if from_onset else 0
    a = o + int((start or 0) * rate)
    if end is not None:
        end += o / rate
    best = (0.0, -120.0)
    for c in chans:
        x = c[a:int(end * rate)] if end is not None else c[a:]
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
        tone_power = (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (m * m)
        frac = tone_power / power if power > 0 else 0.0
        rms = 10 * math.log10(power) if power > 0 else -120.0
        if rms > best[1]:
            best = (frac, rms)
    return best


def window(args):
    start = float(args[args.index("--from") + 1]) if "--from" in args else None
    end = float(args[args.index("--to") + 1]) if "--to" in args else None
    return start, end


def main():
    if sys.argv[1] == "tone":
        write_tone(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]),
                   int(sys.argv[6]) if len(sys.argv) > 6 else 2)
    elif sys.argv[1] == "nonfinite":
        write_nonfinite(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "steps":
        write_steps(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]),
                    [float(v) for v in sys.argv[5:]])
    elif sys.argv[1] == "levels":
        pk, rms = levels(sys.argv[2], *window(sys.argv[3:]))
        print(f"{pk:.3f} {rms:.3f}")
    elif sys.argv[1] == "tonematch":
        frac, rms = tone_match(sys.argv[2], float(sys.argv[3]), *window(sys.argv[4:]),
                               from_onset="--onset" in sys.argv[4:])
        print(f"{frac:.4f} {rms:.2f}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
