#!/usr/bin/env bash
# fohctl content learn and classify, without fohd:
#   - styles learned from excerpts of some sources classify other excerpts
#     of the same sources: synthetic "pop" (drums, chords, melody) against
#     synthetic "drone" (sustained chords) always; and, when the Debian
#     packages are installed, rock (fretsonfire-songs-muldjord) against
#     classical (wesnoth-1.16-music): learned from the first 40 s of two
#     tracks each, asked about 40 s further on;
#   - a real recorded voice (alsa-utils) is classified as speech by the
#     shipped model, also after a broadcast-style limiter (sox compand
#     1 ms/40 ms, ~12:1 above -40 dB, ~+25 dB make-up, 4 dB clipped: what
#     podcasts and broadcast feeds do to a voice);
#   - a style's --margin is written, kept when the style is learned again,
#     and refused out of [0, 1) without touching the model;
#   - learn refuses a bad name, and a malformed model file is refused with
#     its path, group, key and reason and is left as it was.
set -u
fohctl=$FOHCTL
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "# $*"; }
py="$FOH_TESTS/content/programme.py"

# excerpt IN OUT START SECONDS
excerpt() { sox -V1 "$1" -r 48000 -c 1 -b 16 "$2" trim "$3" "$4" || fail "sox $1"; }

for s in 1 2 3; do
  python3 "$py" music "$T/pop$s.wav" 16 "$s" || fail "music"
  python3 "$py" drone "$T/drone$s.wav" 16 "$s" || fail "drone"
done
for s in 1 2; do
  excerpt "$T/pop$s.wav" "$T/pop$s-a.wav" 0 8
  excerpt "$T/pop$s.wav" "$T/pop$s-b.wav" 8 8
  excerpt "$T/drone$s.wav" "$T/drone$s-a.wav" 0 8
  excerpt "$T/drone$s.wav" "$T/drone$s-b.wav" 8 8
done
M=$T/model
cp "$FOH_SRCDIR/data/content/styles" "$M"
"$fohctl" content learn --file "$M" pop "$T/pop1-a.wav" "$T/pop2-a.wav" || fail "learn pop"
"$fohctl" content learn --file "$M" drone "$T/drone1-a.wav" "$T/drone2-a.wav" || fail "learn drone"
for f in pop1-b pop2-b pop3 drone1-b drone2-b drone3; do
  out=$("$fohctl" content classify --file "$M" "$T/$f.wav") || fail "classify $f"
  note "$out"
  want=${f%%[0-9]*}
  case $out in
    *"class=music style=$want "*) ;;
    *) fail "$f: want music/$want, got: $out" ;;
  esac
done

# real recordings, when the packages are there
rock=/usr/share/games/fretsonfire/data/songs/muldjord
classical=/usr/share/games/wesnoth/1.16/data/core/music
if [ -f "$rock/armygeddon/song.ogg" ] && [ -f "$classical/knolls.ogg" ]; then
  # a fresh model: the shipped one learned from some of these very tracks
  M2=$T/model2
  for n in armygeddon chaos_god; do
    sox -V1 -m "$rock/$n/song.ogg" "$rock/$n/guitar.ogg" -r 48000 -c 1 "$T/$n.wav" || fail "sox $n"
    excerpt "$T/$n.wav" "$T/$n-a.wav" 10 40
    excerpt "$T/$n.wav" "$T/$n-b.wav" 60 40
  done
  for n in knolls wanderer; do
    excerpt "$classical/$n.ogg" "$T/$n-a.wav" 10 40
    excerpt "$classical/$n.ogg" "$T/$n-b.wav" 60 40
  done
  "$fohctl" content init --file "$M2" "$T"/*-a.wav >/dev/null || fail "init"
  "$fohctl" content learn --file "$M2" myrock "$T/armygeddon-a.wav" "$T/chaos_god-a.wav" >/dev/null || fail "learn myrock"
  "$fohctl" content learn --file "$M2" myorchestra "$T/knolls-a.wav" "$T/wanderer-a.wav" >/dev/null || fail "learn myorchestra"
  for f in armygeddon-b:myrock chaos_god-b:myrock knolls-b:myorchestra wanderer-b:myorchestra; do
    out=$("$fohctl" content classify --file "$M2" "$T/${f%%:*}.wav") || fail "classify $f"
    note "$out"
    case $out in
      *"class=music style=${f##*:} "*) ;;
      *) fail "${f%%:*}: want ${f##*:}, got: $out" ;;
    esac
  done
else
  note "fretsonfire-songs-muldjord / wesnoth-1.16-music not installed: real-recording part skipped"
fi

# a real voice: alsa-utils' speaker-position recordings
if [ -f /usr/share/sounds/alsa/Front_Center.wav ]; then
  parts=()
  for v in /usr/share/sounds/alsa/{Front_Center,Front_Left,Front_Right,Rear_Center,Rear_Left,Side_Left}.wav; do
    sox -V1 "$v" -r 48000 -c 1 -b 16 "$T/$(basename "$v")" pad 0 0.2
    parts+=("$T/$(basename "$v")")
  done
  sox -V1 "${parts[@]}" "$T/voice.wav"
  out=$("$fohctl" content classify --file "$FOH_SRCDIR/data/content/styles" "$T/voice.wav") || fail "classify voice"
  note "$out"
  case $out in *"class=speech "*) ;; *) fail "a recorded voice: $out" ;; esac
  sox -V1 "$T/voice.wav" "$T/voice-limited.wav" compand 0.001,0.04 3:-90,-90,-55,-55,-40,-15,0,-3 \
    0 -90 0.001 norm -1 gain 4
  out=$("$fohctl" content classify --file "$FOH_SRCDIR/data/content/styles" "$T/voice-limited.wav") ||
    fail "classify limited voice"
  note "$out"
  case $out in *"class=speech "*) ;; *) fail "a hard-limited voice: $out" ;; esac
fi

# a margin: written with the style, kept when it is learned again, and
# out of [0, 1) refused without touching the model
margin_of() { awk -v g="[centroid $1]" '$0 == g { s = 1; next } /^\[/ { s = 0 }
	s && /^margin=/ { sub(/^margin=/, ""); print }' "$M"; }
"$fohctl" content learn --file "$M" --margin 0.3 drone "$T/drone1-a.wav" >/dev/null || fail "learn --margin"
[ "$(margin_of drone)" = 0.300 ] || fail "margin written: '$(margin_of drone)'"
"$fohctl" content learn --file "$M" drone "$T/drone1-a.wav" "$T/drone2-a.wav" >/dev/null || fail "learn drone again"
[ "$(margin_of drone)" = 0.300 ] || fail "margin kept: '$(margin_of drone)'"
sum=$(md5sum <"$M")
out=$("$fohctl" content learn --file "$M" --margin 1.5 drone "$T/drone1-a.wav" 2>&1) && fail "--margin 1.5 taken"
case $out in *"--margin is a number in [0, 1)"*) ;; *) fail "--margin 1.5: $out" ;; esac
[ "$(md5sum <"$M")" = "$sum" ] || fail "a refused margin changed the model"

# refusals
out=$("$fohctl" content learn --file "$M" "bad/name" "$T/pop1-a.wav" 2>&1) && fail "a bad name was taken"
case $out in *"not allowed"*) ;; *) fail "bad name: $out" ;; esac
sed 's/^class=music$/class=loud/' "$M" >"$T/broken"
sum=$(md5sum <"$T/broken")
out=$("$fohctl" content learn --file "$T/broken" newstyle "$T/pop1-a.wav" 2>&1) && fail "a broken model was used"
note "$out"
case $out in *"$T/broken: [centroid "*"] class: \"loud\" is neither speech nor music"*) ;; *) fail "broken model: $out" ;; esac
[ "$(md5sum <"$T/broken")" = "$sum" ] || fail "the broken model file was changed"
out=$("$fohctl" content classify --file "$T/broken" "$T/pop1-a.wav" 2>&1) && fail "classify used a broken model"
echo "ok"
