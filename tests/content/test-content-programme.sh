#!/usr/bin/env bash
# A programme of real recorded speech (alsa-utils' voice), a pause and
# synthetic music, three times over with different music and pauses,
# through the detector as fohd runs it (fohctl content classify
# --timeline: a decision every 0.5 s of signal, the shipped model): each
# class is taken within 2 s of signal after its passage begins, and holds
# until the next passage (no flicker). Signal time, not wall-clock time:
# content-channel runs the same in fohd, where a loaded machine delays it.
set -u
fohctl=$FOHCTL
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }
voices=(/usr/share/sounds/alsa/{Front_Center,Front_Left,Front_Right,Rear_Center,Rear_Left,Rear_Right}.wav)
for v in "${voices[@]}"; do
  [ -f "$v" ] || { echo "SKIP: $v missing (alsa-utils; tools/dev/foh-dev deps)"; exit 77; }
done
parts=()
for v in "${voices[@]}"; do
  sox -V1 "$v" -r 48000 -c 1 -b 16 "$T/$(basename "$v")" pad 0 0.2 || fail "sox $v"
  parts+=("$T/$(basename "$v")")
done
sox -V1 "${parts[@]}" "$T/speech.wav" norm -3
speech_s=$(soxi -D "$T/speech.wav")
prog=() bounds=() t=0
for round in 1 2 3; do
  pause=$((round + 2))
  sox -V1 -n -r 48000 -c 1 -b 16 "$T/pause$round.wav" trim 0 "$pause"
  python3 "$FOH_TESTS/content/programme.py" music "$T/music$round.wav" 8 "$round" || fail "music"
  prog+=("$T/speech.wav" "$T/pause$round.wav" "$T/music$round.wav")
  bounds+=("speech:$t")
  t=$(python3 -c "print($t + $speech_s)"); bounds+=("silence:$t")
  t=$(python3 -c "print($t + $pause)"); bounds+=("music:$t")
  t=$(python3 -c "print($t + 8)")
done
sox -V1 "${prog[@]}" "$T/programme.wav" || fail "sox programme"
"$fohctl" content classify --timeline --file "$FOH_SRCDIR/data/content/styles" "$T/programme.wav" \
  >"$T/timeline.txt" || fail "classify"
python3 - "$T/timeline.txt" "$t" "${bounds[@]}" <<'PY' || fail "the programme was not followed"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l[:1] == " "]
ticks = [(float(r[0]), r[1]) for r in rows]
end = float(sys.argv[2])
bounds = [(b.split(":")[0], float(b.split(":")[1])) for b in sys.argv[3:]]
ok = True
for k, (cls, start) in enumerate(bounds):
    stop = bounds[k + 1][1] if k + 1 < len(bounds) else end
    inside = [(t, c) for t, c in ticks if start < t <= stop]
    first = next((t for t, c in inside if c == cls), None)
    late = first is None or first - start > 2.0
    # after it was taken, it holds to the end of the passage
    wrong = [(t, c) for t, c in inside if first is not None and t >= first and c != cls]
    print("# %-7s from %5.1f s: taken after %s s%s" % (cls, start,
          "never" if first is None else "%.1f" % (first - start),
          ", then %d other decisions" % len(wrong) if wrong else ""))
    ok = ok and not late and not wrong
sys.exit(0 if ok else 1)
PY
echo ok
