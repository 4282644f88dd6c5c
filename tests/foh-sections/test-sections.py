#!/usr/bin/env python3
"""Integration test of foh-sections (no PipeWire needed).

Writes 997 Hz test tones (48 kHz stereo and 44.1 kHz mono), a folder of struct
JSON (three good tracks, a broken JSON, a missing WAV, too few segments, a
string bpm, no bpm, a bad segment, one outside the BPM range, one in the wrong
key) and a Rekordbox XML that overrides one bpm and supplies another track's
bpm and key. Runs foh-sections with both methods and checks, against the
formulas of REFERENCE.md worked out here independently:
  - the CSV columns and values (ini/begin/end cues, speed, adjusted cues),
  - WAV durations: unstretched = end - ini, sectioned = (end - ini)/speed
    within 10 ms, and the unstretched part is the source's ini->end samples,
  - pitch: rubberband keeps 997 Hz within 1 %, rate moves it by speed,
  - the skip lines, the summary list and the exit codes (0, 1, 2).

  test-sections.py FOH_SECTIONS
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import audio  # noqa: E402  (tests/tools/audio.py: tone writer, WAV reader)

TOOL = sys.argv[1]
TARGET = 122.5
DELTA = 6.0
TONE = 997.0  # no whole number of samples per period: a cut off by k samples shows
DBFS = -6.0
COLUMNS = ["path", "bpm", "key", "target_bpm", "speed", "ini_cue", "begin_cue", "end_cue",
           "begin_cue_adj", "end_cue_adj", "duration_orig", "duration_sectioned",
           "part_file_orig", "part_file"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def write_wav(path, rate, channels, seconds):
    audio.write_tone(path, TONE, DBFS, seconds, channels, rate)


def read_wav(path):
    """rate, channels, frames, first channel in LSB of 16-bit."""
    with wave.open(path, "rb") as w:
        width = w.getsampwidth()
    assert width == 2, f"{path}: sample width {width}"
    rate, chans = audio.read(path)
    return rate, len(chans), len(chans[0]), [round(v * 32768) for v in chans[0]]


def zero_cross_hz(samples, rate):
    """Frequency from rising zero crossings (interpolated) over the middle 80 %."""
    lo, hi = len(samples) // 10, len(samples) * 9 // 10
    times = []
    for i in range(lo, hi - 1):
        a, b = samples[i], samples[i + 1]
        if a < 0 <= b:
            times.append(i + a / (a - b))
    return (len(times) - 1) * rate / (times[-1] - times[0])


def segs(*spans):
    return [{"start": s, "end": e, "label": l} for s, e, l in spans]


def chain(t0, step, count, label="part"):
    return [(round(t0 + i * step, 6), round(t0 + (i + 1) * step, 6), f"{label}{i}")
            for i in range(count)]


# name -> JSON body (str for a broken one), audio (file, rate, channels, s),
# outcome: "exported", "filtered" or the expected skip reason fragment
TRACKS = {
    # JSON bpm 110 is out of range; the XML's 116.5 brings it in.
    # Listed out of order with two intros: ini = 0.8, 6th after = 2.8..3.3.
    "alpha": (dict(path="/elsewhere/alpha.wav", bpm=110, key="Gm",
                   segments=segs(*reversed([(0.0, 0.4, "intro"), (0.4, 0.8, "Intro")]
                                           + chain(0.8, 0.4, 5) + [(2.8, 3.3, "drop"),
                                                                   (3.3, 3.8, "outro")]))),
              ("alpha.wav", 48000, 2, 4.0), "exported"),
    # no intro: ini = 0; a comma in the file name (CSV quoting)
    "bravo": (dict(path="bravo, live.wav", bpm=128, key="Cm", beats=[0.0, 0.47],
                   segments=segs(*chain(0.0, 0.3, 5), (1.5, 1.9, "drop"), (1.9, 2.5, "outro"))),
              ("bravo, live.wav", 44100, 1, 3.0), "exported"),
    # no bpm or key in the JSON: both from the XML (Location percent-encoded)
    "charlie": (dict(path="C:\\Music\\charlie one.wav",
                     segments=segs((0.0, 0.25, "intro"), *chain(0.25, 0.35, 7))),
                ("charlie one.wav", 48000, 2, 3.0), "exported"),
    "broken": ('{"path": "x.wav", "bpm": 122, "segments": [', None, "broken JSON"),
    "missing": (dict(path="missing.wav", bpm=122, key="Gm", segments=segs(*chain(0, 0.5, 7))),
                None, "not found"),
    "few": (dict(path="few.wav", bpm=122, key="Cm",
                 segments=segs((0, 1, "intro"), *chain(1, 0.5, 3))), None, "fewer than 6"),
    "badtype": (dict(path="badtype.wav", bpm="122", key="Gm", segments=segs(*chain(0, 0.5, 7))),
                None, "\"bpm\" is not a finite number"),
    "nobpm": (dict(path="nobpm.wav", key="Gm", segments=segs(*chain(0, 0.5, 7))),
              None, "no bpm"),
    "badseg": (dict(path="badseg.wav", bpm=122, key="Gm",
                    segments=segs((0, 1, "intro"), (2, 1.5, "verse"))), None, "segments[1]"),
    "slow": (dict(path="slow.wav", bpm=100, key="Gm", segments=segs(*chain(0, 0.5, 7))),
             None, "filtered"),
    "wrongkey": (dict(path="wrongkey.wav", bpm=122, key="Am", segments=segs(*chain(0, 0.5, 7))),
                 None, "filtered"),
}

XML_BPM = {"alpha.wav": 116.5, "charlie one.wav": 125.0}
XML_KEY = {"alpha.wav": "Gm", "charlie one.wav": "Gm"}
REKORDBOX = """<?xml version="1.0" encoding="UTF-8"?>
<DJ_PLAYLISTS Version="1.0.0">
  <PRODUCT Name="rekordbox" Version="6.7.4" Company="AlphaTheta"/>
  <COLLECTION Entries="3">
    <TRACK TrackID="1" Name="Alpha" Location="file://localhost/Users/dj/Music/alpha.wav"
           AverageBpm="116.50" Tonality="Gm"/>
    <TRACK TrackID="2" Name="Charlie" Location="file://localhost/Users/dj/My%20Music/charlie%20one.wav"
           AverageBpm="125.00" Tonality="Gm"><TEMPO Inizio="0.0" Bpm="125.00"/></TRACK>
    <TRACK TrackID="3" Name="Other" Location="file://localhost/Users/dj/Music/other.wav"
           AverageBpm="fast"/>
  </COLLECTION>
  <PLAYLISTS><NODE Type="0" Name="ROOT" Count="1">
    <NODE Name="set" Type="1" KeyType="0" Entries="1"><TRACK Key="1"/></NODE>
  </NODE></PLAYLISTS>
</DJ_PLAYLISTS>
"""


def expected(body, n=6):
    """The cue formulas of REFERENCE.md, written out again for the test."""
    name = body["path"].replace("\\", "/").rsplit("/", 1)[-1]
    bpm = XML_BPM.get(name, body.get("bpm"))
    key = XML_KEY.get(name, body.get("key", ""))
    segments = sorted(body["segments"], key=lambda s: s["start"])
    intros = [s for s in segments if s["label"].lower() == "intro"]
    ini = intros[-1]["end"] if intros else 0.0
    after = [s for s in segments if s["start"] >= ini - 1e-6]
    begin, end = after[n - 1]["start"], after[n - 1]["end"]
    speed = TARGET / bpm
    return dict(name=name, bpm=bpm, key=key, speed=speed, ini=ini, begin=begin, end=end,
                begin_adj=(begin - ini) / speed, end_adj=(end - ini) / speed)


def run(*args, cwd=None):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def check_export(tmp, method, rows):
    audio = os.path.join(tmp, "audio")
    for name, (body, wav, outcome) in TRACKS.items():
        if outcome != "exported":
            continue
        e = expected(body)
        row = rows.get(os.path.join(audio, e["name"]))
        check(row is not None, f"{method}: {name} has a CSV row")
        if row is None:
            continue
        tag = f"{method}/{name}"
        for col, want in (("bpm", e["bpm"]), ("target_bpm", TARGET), ("speed", e["speed"]),
                          ("ini_cue", e["ini"]), ("begin_cue", e["begin"]),
                          ("end_cue", e["end"]), ("begin_cue_adj", e["begin_adj"]),
                          ("end_cue_adj", e["end_adj"])):
            check(abs(float(row[col]) - want) <= 1e-6, f"{tag}: {col} {row[col]} != {want:.6f}")
        check(row["key"] == e["key"], f"{tag}: key {row['key']!r} != {e['key']!r}")

        src_rate, src_ch, _, src = read_wav(os.path.join(audio, wav[0]))
        stem = e["name"].rsplit(".", 1)[0]
        orig = os.path.join(tmp, method, stem + "_unstretched.wav")
        sect = os.path.join(tmp, method, stem + "_sectioned.wav")
        check(row["part_file_orig"] == orig and row["part_file"] == sect,
              f"{tag}: part files {row['part_file_orig']}, {row['part_file']}")

        rate, ch, n, cut = read_wav(orig)
        start = round(e["ini"] * src_rate)
        check(rate == src_rate and ch == src_ch, f"{tag}: unstretched is {ch} ch at {rate} Hz")
        check(n == round(e["end"] * src_rate) - start, f"{tag}: unstretched has {n} frames")
        check(abs(n / rate - (e["end"] - e["ini"])) <= 0.001, f"{tag}: unstretched duration")
        check(abs(float(row["duration_orig"]) - n / rate) <= 1e-5, f"{tag}: duration_orig")
        worst = max(abs(a - b) for a, b in zip(cut, src[start:]))
        check(worst <= 2, f"{tag}: unstretched part differs from the source by {worst} LSB")

        rate, ch, n, out = read_wav(sect)
        want = (e["end"] - e["ini"]) / e["speed"]
        print(f"{tag}: speed {e['speed']:.4f}, sectioned {n / rate:.4f} s, "
              f"(end - ini)/speed {want:.4f} s")
        check(rate == src_rate and ch == src_ch, f"{tag}: sectioned is {ch} ch at {rate} Hz")
        check(abs(n / rate - want) <= 0.010, f"{tag}: sectioned {n / rate:.4f} s != {want:.4f} s")
        check(abs(float(row["duration_sectioned"]) - n / rate) <= 1e-5,
              f"{tag}: duration_sectioned {row['duration_sectioned']} != {n / rate:.6f}")
        hz = zero_cross_hz(out, rate)
        want_hz = TONE if method == "rubberband" else TONE * e["speed"]
        print(f"{tag}: tone {hz:.2f} Hz, expected {want_hz:.2f} Hz")
        check(abs(hz / want_hz - 1) <= 0.01, f"{tag}: tone {hz:.2f} Hz, expected {want_hz:.2f}")


def check_skips(method, rc, out, err):
    check(rc == 1, f"{method}: exit code {rc} with skips, expected 1")
    summary = err.split("skipped:\n", 1)[-1] if "skipped:\n" in err else ""
    for name, (body, wav, outcome) in TRACKS.items():
        line = f"skipped {name}.json: "
        if outcome in ("exported", "filtered"):
            check(line not in err and f"  {name}.json" not in summary,
                  f"{method}: {name} must not be skipped")
            continue
        lines = [l for l in err.splitlines() if l.startswith(line)]
        check(len(lines) == 1 and outcome in lines[0],
              f"{method}: one skip line for {name} naming {outcome!r}: {lines}")
        check(f"  {name}.json: " in summary, f"{method}: {name} in the summary list")
    n_skip = sum(1 for _, _, o in TRACKS.values() if o not in ("exported", "filtered"))
    check(f"{n_skip} skipped:" in err, f"{method}: summary counts {n_skip} skipped")
    check(f"of {len(TRACKS)} tracks selected" in out, f"{method}: summary line: {out!r}")


def main():
    tmp = tempfile.mkdtemp(prefix="foh-sections-")
    try:
        sdir, adir = os.path.join(tmp, "struct"), os.path.join(tmp, "audio")
        os.makedirs(sdir)
        os.makedirs(adir)
        for name, (body, wav, _) in TRACKS.items():
            with open(os.path.join(sdir, name + ".json"), "w") as f:
                f.write(body if isinstance(body, str) else json.dumps(body))
            if wav:
                write_wav(os.path.join(adir, wav[0]), wav[1], wav[2], wav[3])
        xml = os.path.join(tmp, "rekordbox.xml")
        with open(xml, "w") as f:
            f.write(REKORDBOX)
        common = ["--bpm", str(TARGET), "--delta", str(DELTA), "--key", "Gm, Cm",
                  "--rekordbox-xml", xml, "--audio-dir", adir]

        for method in ("rubberband", "rate"):
            csv_path = os.path.join(tmp, method + ".csv")
            rc, out, err = run(*common, "--method", method, "--csv-out", csv_path,
                               "--parts-dir", os.path.join(tmp, method), sdir)
            print(out + err)
            check_skips(method, rc, out, err)
            with open(csv_path, newline="") as f:
                reader = csv.DictReader(f)
                check(reader.fieldnames == COLUMNS, f"{method}: columns {reader.fieldnames}")
                rows = {r["path"]: r for r in reader}
            order = [os.path.join(adir, n) for n in ("alpha.wav", "bravo, live.wav",
                                                     "charlie one.wav")]
            check(list(rows) == order, f"{method}: rows {list(rows)}, expected {order} "
                  "(struct files in name order)")
            check_export(tmp, method, rows)

        # only the good tracks: nothing skipped, exit 0; --key Cm leaves bravo
        clean = os.path.join(tmp, "clean")
        os.makedirs(clean)
        for name in ("alpha", "bravo", "charlie", "slow"):
            shutil.copy(os.path.join(sdir, name + ".json"), clean)
        # (a relative --parts-dir: part_file is written absolute all the same,
        # since fohd's Deck.Load refuses a relative path)
        rc, out, err = run(*common, "--method", "rate", "--csv-out",
                           os.path.join(tmp, "clean.csv"), "--parts-dir",
                           "clean-parts", clean, cwd=tmp)
        check(rc == 0 and "skipped" not in err, f"clean run: exit {rc}, stderr {err!r}")
        with open(os.path.join(tmp, "clean.csv"), newline="") as f:
            for r in csv.DictReader(f):
                for col in ("part_file_orig", "part_file"):
                    check(os.path.isabs(r[col]) and
                          os.path.dirname(r[col]) == os.path.join(os.path.realpath(tmp),
                                                                  "clean-parts"),
                          f"relative --parts-dir: {col} {r[col]!r} is not absolute in it")
        rc, out, err = run("--bpm", str(TARGET), "--delta", str(DELTA), "--key", "Cm",
                           "--rekordbox-xml", xml, "--audio-dir", adir, "--method", "rate",
                           "--csv-out", os.path.join(tmp, "cm.csv"), "--parts-dir",
                           os.path.join(tmp, "cm-parts"), "--quiet", clean)
        with open(os.path.join(tmp, "cm.csv"), newline="") as f:
            paths = [r["path"] for r in csv.DictReader(f)]
        check(rc == 0 and out == "" and paths == [os.path.join(adir, "bravo, live.wav")],
              f"--key Cm: exit {rc}, stdout {out!r}, rows {paths}")

        # a broken Rekordbox XML is named with its line; nothing is exported
        bad = os.path.join(tmp, "bad.xml")
        with open(bad, "w") as f:
            f.write('<DJ_PLAYLISTS>\n<COLLECTION>\n<TRACK Location="file:///a.wav" AverageBpm=120/>\n')
        rc, out, err = run("--bpm", "120", "--rekordbox-xml", bad, "--csv-out",
                           os.path.join(tmp, "bad.csv"), clean)
        check(rc == 1 and "Rekordbox XML" in err and "line 3" in err,
              f"broken XML: exit {rc}, stderr {err!r}")
        check(not os.path.exists(os.path.join(tmp, "bad.csv")), "broken XML: no CSV")

        # usage errors exit 2
        for args in (["--method", "pitch", "--bpm", "120"], ["--delta", "2"],
                     ["--bpm", "120", "--section", "0"], ["--bpm", "fast"],
                     ["--bpm", "120", "--key", " , "], ["--bpm", "120", "a", "b"]):
            rc, out, err = run(*args)
            check(rc == 2, f"usage {args}: exit {rc}")
        rc, out, err = run("--help")
        check(rc == 0 and "Exit status" in out, "--help")
    finally:
        shutil.rmtree(tmp)
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
