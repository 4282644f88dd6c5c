#!/usr/bin/env bash
# Bad files given to Load: a corrupt header, a WAV cut in half (its header
# declares more than the file holds), a FLAC cut in half (found while
# decoding), a missing file, a relative path and a directory. Each gets its
# named error, and deck a keeps what it had: the same Path and Duration,
# still playing. Last, a 32-bit float WAV holding NaN, infinity and 1e30 is
# audio all the same: it loads, those samples play as silence, and fohd's
# log names the file.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

s=$FOH_SESSION
deckaudio tone "$s/good.wav" 440 4
deckaudio tone "$s/long.wav" 440 2
python3 - "$s" <<'PY'
import sys
s = sys.argv[1]
open(f"{s}/corrupt.wav", "wb").write(b"RIFF" + bytes(400))
d = open(f"{s}/long.wav", "rb").read()
open(f"{s}/cut.wav", "wb").write(d[: len(d) // 2])
PY
sox "$s/long.wav" "$s/long.flac" || fail "sox cannot write FLAC"
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); open(sys.argv[2], 'wb').write(d[: len(d) // 2])" \
  "$s/long.flac" "$s/cut.flac"
mkdir -p "$s/adir"

start_decks_fohd
deck a set-property Loop b true || fail "Loop refused"
deck a call Load s "$s/good.wav" || fail "Load of a good file failed"
deck a call Play || fail "Play failed"
wait_for 3 deck_playing a || fail "deck a did not start"
path=$(dprop a Path) dur=$(dprop a Duration)

expect_error() {
  local file=$1 want=$2 err
  err=$(deck a call Load s "$file" 2>&1) && fail "Load $file was accepted"
  note "Load $file: $err"
  grep -q "$want" <<<"$err" || fail "Load $file: want $want, got: $err"
  [ "$(dprop a Path)" = "$path" ] || fail "after $file, Path is $(dprop a Path), was $path"
  [ "$(dprop a Duration)" = "$dur" ] || fail "after $file, Duration is $(dprop a Duration)"
  deck_playing a || fail "after $file, deck a no longer plays"
}
expect_error "$s/corrupt.wav" "not a readable audio file"
expect_error "$s/cut.wav" "truncated"
expect_error "$s/cut.flac" "truncated"
expect_error "$s/missing.wav" "No such file"
expect_error "relative.wav" "must be absolute"
expect_error "$s/adir" "not a regular file"
# busctl prints only the message: dbus-send shows the error's name.
err=$(dbus-send --session --print-reply --dest=org.foh.Foh1 /org/foh/Foh1/deck/a \
  $DECK_IFACE.Load string:"$s/missing.wav" 2>&1) && fail "missing file accepted"
grep -q "org.foh.Foh1.Error.NotFound" <<<"$err" || fail "missing file: want NotFound, got $err"
err=$(dbus-send --session --print-reply --dest=org.foh.Foh1 /org/foh/Foh1/deck/a \
  $DECK_IFACE.Load string:"$s/cut.flac" 2>&1) && fail "cut FLAC accepted"
grep -q "org.foh.Foh1.Error.InvalidArgument" <<<"$err" || fail "cut FLAC: want InvalidArgument, got $err"
alive fohd || fail "fohd died"

python3 "$FOH_TESTS/tools/audio.py" nonfinite "$s/nan.wav" 440 -12 1
deck a call Load s "$s/nan.wav" || fail "a float WAV with NaN/inf was refused"
grep -q "nan.wav: .* no audio" "$FOH_SESSION/fohd.log" \
  || fail "fohd's log does not name the file with NaN/inf: $(tail -n 3 "$FOH_SESSION/fohd.log")"
note "$(grep -m1 'no audio' "$FOH_SESSION/fohd.log")"
alive fohd || fail "fohd died"
echo "ok: every bad file refused with its error; deck a kept $path"
