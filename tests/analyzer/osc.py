#!/usr/bin/env python3
"""Reads oscdump logs for the analyzer tests (stdlib only).

oscdump -L prints one line per message:
    <NTP seconds, hex>.<NTP fraction, hex> <path> <types> <args...>
stamped with the wall clock when the message arrived. Times given on the
command line (FROM, TO) are Unix seconds (date +%s.%N), the same clock;
"now" is the current time and a negative number that many seconds before it.

  osc.py dominance LOG FROM TO BAND
        /audio/lmh in [FROM, TO]: "n low mid high share margin": the mean of
        each band, the share of messages in which BAND is the largest, and
        mean(BAND) - the larger mean of the two others
  osc.py rate LOG PATH FROM TO
        "n span rate": messages to PATH in [FROM, TO], the time from the
        first to the last of them, and (n - 1) / span per second
  osc.py meta LOG [FROM]
        every /audio/meta (from FROM on), one per line:
        "t rate block bins lo_low hi_low lo_mid hi_mid lo_high hi_high"
  osc.py fft-hot LOG FROM TO RATE WINDOW BINS FMIN HZ
        the hottest bin of the mean /audio/fft frame in [FROM, TO] and
        whether the linear FFT bins it averages cover HZ; see fft_hot()
  osc.py fft-raw LOG FROM TO RATE WINDOW BINS FMIN HZ DBFS
        raw-dB frames against the per-bin power computed here; see fft_raw()
  osc.py onsets LOG FROM TO CLICKS
        onset events against click-play's clicks; see onsets()
  osc.py bpm LOG FROM LO HI
        "first_in_range_after last n_in n_out": /audio/bpm from FROM on
"""
import cmath
import math
import statistics
import sys

NTP_UNIX = 2208988800


def parse(path, want=None, t0=None, t1=None):
    """[(t, path, [args])] from an oscdump log, optionally filtered."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or "." not in parts[0]:
                continue
            try:
                sec, frac = parts[0].split(".")
                t = int(sec, 16) - NTP_UNIX + int(frac, 16) / 2**32
            except ValueError:
                continue
            addr = parts[1]
            if want is not None and addr != want:
                continue
            if (t0 is not None and t < t0) or (t1 is not None and t > t1):
                continue
            types = parts[2] if len(parts) > 2 else ""
            args = []
            for ty, a in zip(types, parts[3:]):
                args.append(float(a) if ty in "fd" else int(a) if ty in "ih" else a)
            out.append((t, addr, args))
    return out


BANDS = ["low", "mid", "high"]


def dominance(log, t0, t1, band):
    msgs = parse(log, "/audio/lmh", t0, t1)
    if not msgs:
        print("0 0 0 0 0 -1")
        return
    b = BANDS.index(band)
    means = [statistics.fmean(m[2][i] for m in msgs) for i in range(3)]
    wins = sum(1 for m in msgs if all(m[2][b] > m[2][i] for i in range(3) if i != b))
    margin = means[b] - max(means[i] for i in range(3) if i != b)
    print(len(msgs), *("%.4f" % v for v in means), "%.3f" % (wins / len(msgs)),
          "%.4f" % margin)


def rate(log, addr, t0, t1):
    msgs = parse(log, addr, t0, t1)
    if len(msgs) < 2:
        print(len(msgs), 0, 0)
        return
    span = msgs[-1][0] - msgs[0][0]
    print(len(msgs), "%.4f" % span, "%.3f" % ((len(msgs) - 1) / span))


def meta(log, t0=None):
    for t, _, a in parse(log, "/audio/meta", t0):
        print("%.6f" % t, *a[:3], *("%g" % v for v in a[3:]))


# ---- the FFT view, computed independently from spectrum.h's rule --------

def log_edges(rate_hz, bins, fmin):
    """e_j = fmin (fmax / fmin)^(j / bins), j = 0..bins; fmax = rate / 2."""
    fmax = rate_hz / 2
    e = [fmin * (fmax / fmin) ** (j / bins) for j in range(bins + 1)]
    e[bins] = fmax
    return e


def members(rate_hz, window, bins, fmin):
    """For each log bin, the linear bins k (f = k rate / window) with
    e_j <= f < e_j+1 (fmax in the last bin; f < fmin in none)."""
    e = log_edges(rate_hz, bins, fmin)
    m = [[] for _ in range(bins)]
    for k in range(window // 2 + 1):
        f = k * rate_hz / window
        if f < fmin:
            continue
        for j in range(bins):
            if e[j] <= f < e[j + 1] or (j == bins - 1 and f >= e[j]):
                m[j].append(k)
                break
    return e, m


def mean_frame(log, t0, t1, bins):
    frames = [m[2] for m in parse(log, "/audio/fft", t0, t1) if len(m[2]) == bins]
    if not frames:
        return [], []
    return frames, [statistics.fmean(f[j] for f in frames) for j in range(bins)]


def fft_hot(log, t0, t1, rate_hz, window, bins, fmin, hz):
    """Prints "n hot hot_lo hot_hi covers share containing": the hottest
    bin of the mean frame, the frequency span of the linear bins it
    averages (each linear bin k covering (k -+ 1/2) rate / window), 1 if
    that span covers HZ, the share of frames whose hottest bin it is, and
    the log bin whose edges contain HZ (for the report)."""
    frames, mean = mean_frame(log, t0, t1, bins)
    if not frames:
        print("0 -1 0 0 0 0 -1")
        return
    e, m = members(rate_hz, window, bins, fmin)
    hot = max(range(bins), key=lambda j: mean[j])
    df = rate_hz / window
    ks = m[hot]
    lo = (min(ks) - 0.5) * df if ks else 0
    hi = (max(ks) + 0.5) * df if ks else 0
    covers = 1 if ks and lo <= hz <= hi else 0
    share = sum(1 for f in frames if max(range(bins), key=lambda j: f[j]) == hot) / len(frames)
    containing = next(j for j in range(bins) if e[j] <= hz < e[j + 1])
    print(len(frames), hot, "%.1f" % lo, "%.1f" % hi, covers, "%.3f" % share, containing)


def bin_power(k, window, rate_hz, amp, hz, phase):
    """P[k] = |X[k]|^2 2 / (sum w)^2 of amp sin(2 pi hz n / rate + phase)
    under a symmetric Hann window (numpy's hanning)."""
    w = [0.5 - 0.5 * math.cos(2 * math.pi * i / (window - 1)) for i in range(window)]
    sw = sum(w)
    x = sum(w[i] * amp * math.sin(2 * math.pi * hz * i / rate_hz + phase)
            * cmath.exp(-2j * math.pi * k * i / window) for i in range(window))
    return abs(x) ** 2 * 2 / sw ** 2


def fft_raw(log, t0, t1, rate_hz, window, bins, fmin, hz, dbfs):
    """Prints, for the log bins within two of the one holding the tone's
    nearest linear bin, "j measured_db expected_db" (the expected value is
    the mean over the bin's linear bins of P[k], averaged over 8 starting
    phases of the sine, in dB), then a last line
    "frames hot empty_ok empty_bad": the hottest bin of the mean frame, and
    how many bins read the empty sentinel (-1000) exactly where the edge
    rule leaves a log bin without linear bins (ok) or not (bad)."""
    frames, mean = mean_frame(log, t0, t1, bins)
    if not frames:
        print("0 -1 0 0")
        return
    _, m = members(rate_hz, window, bins, fmin)
    amp = 10 ** (dbfs / 20)
    k0 = round(hz * window / rate_hz)
    j0 = next(j for j in range(bins) if k0 in m[j])
    for j in range(max(0, j0 - 2), min(bins, j0 + 3)):
        if not m[j]:
            continue
        p = statistics.fmean(
            statistics.fmean(bin_power(k, window, rate_hz, amp, hz, 2 * math.pi * q / 8)
                             for q in range(8))
            for k in m[j])
        print(j, "%.3f" % mean[j], "%.3f" % (10 * math.log10(max(p, 1e-12))))
    hot = max(range(bins), key=lambda j: mean[j])
    ok = bad = 0
    for j in range(bins):
        empty_read = all(f[j] == -1000.0 for f in frames)
        if empty_read and not m[j]:
            ok += 1
        elif empty_read != (not m[j]):
            bad += 1
    print(len(frames), hot, ok, bad)


def onset_events(log, t0, t1):
    """Onset events: /audio/onset/* messages (any band) merged when they
    come within 0.1 s of an event's first message, whose time is the
    event's."""
    events = []
    for t, addr, _ in parse(log, None, t0, t1):
        if not addr.startswith("/audio/onset/"):
            continue
        if events and t - events[-1] < 0.1:
            continue
        events.append(t)
    return events


def onsets(log, t0, t1, clicks_file):
    """Matches onset events with the clicks click-play played (lines
    "click i t", t on the same wall clock): each event belongs to the
    nearest click. Prints
    "clicks events missed dups stray lat_min lat_med lat_max dev ioi_min ioi_max",
    latencies (event - click) and inter-onset intervals in ms; missed:
    clicks without an event; dups: events beyond the first for a click;
    stray: events more than 0.25 s from every click; dev: the largest
    |latency - median latency|, i.e. how far an event lands from its click
    once the constant offset is taken out."""
    clicks = []
    with open(clicks_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "click":
                clicks.append(float(parts[2]))
    events = onset_events(log, t0, t1)
    per_click = {}
    stray = 0
    for t in events:
        i = min(range(len(clicks)), key=lambda c: abs(t - clicks[c])) if clicks else None
        if i is None or abs(t - clicks[i]) > 0.25:
            stray += 1
            continue
        per_click.setdefault(i, []).append(t - clicks[i])
    lat = [v[0] for v in per_click.values()]
    dups = sum(len(v) - 1 for v in per_click.values())
    missed = len(clicks) - len(per_click)
    if not lat:
        print(len(clicks), len(events), missed, dups, stray, 0, 0, 0, 0, 0, 0)
        return
    med = statistics.median(lat)
    dev = max(abs(x - med) for x in lat)
    ioi = [b - a for a, b in zip(events, events[1:])] or [0]
    print(len(clicks), len(events), missed, dups, stray,
          *("%.1f" % (v * 1e3) for v in (min(lat), med, max(lat), dev, min(ioi), max(ioi))))


def bpm(log, t0, lo, hi):
    msgs = parse(log, "/audio/bpm", t0)
    first = next((t for t, _, a in msgs if lo <= a[0] <= hi), None)
    n_in = sum(1 for _, _, a in msgs if lo <= a[0] <= hi)
    after = [a[0] for t, _, a in msgs if first is not None and t >= first]
    print("%.3f" % (first - t0) if first is not None else "-1",
          "%.2f" % msgs[-1][2][0] if msgs else "0", n_in,
          sum(1 for v in after if not lo <= v <= hi))


def when(text):
    import time
    if text == "now":
        return time.time()
    v = float(text)
    return time.time() + v if v < 0 else v


def main():
    a = sys.argv[1:]
    cmd = a[0] if a else ""
    if cmd == "dominance":
        dominance(a[1], when(a[2]), when(a[3]), a[4])
    elif cmd == "rate":
        rate(a[1], a[2], when(a[3]), when(a[4]))
    elif cmd == "meta":
        meta(a[1], when(a[2]) if len(a) > 2 else None)
    elif cmd == "fft-hot":
        fft_hot(a[1], when(a[2]), when(a[3]), int(a[4]), int(a[5]), int(a[6]),
                float(a[7]), float(a[8]))
    elif cmd == "fft-raw":
        fft_raw(a[1], when(a[2]), when(a[3]), int(a[4]), int(a[5]), int(a[6]),
                float(a[7]), float(a[8]), float(a[9]))
    elif cmd == "onsets":
        onsets(a[1], when(a[2]), when(a[3]), a[4])
    elif cmd == "bpm":
        bpm(a[1], when(a[2]), float(a[3]), float(a[4]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
