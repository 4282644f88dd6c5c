#!/usr/bin/env bash
# Content profiles in fohd:
#   - the built-ins are listed and readable; a profile set over fohctl is
#     written and read back; bad keys, values and control keys are refused
#     naming key and reason, with nothing written; a malformed profile file
#     is refused naming file, key and reason, and pinning it changes nothing;
#   - manual: a channel pinned to classical stays there while it hears speech;
#   - auto: the same speech switches it to the speech profile after
#     ProfileHoldSec, and CompRatio glides there (values in between, over
#     about 2 s);
# (That a glide does not click is content-glide's, on the strip itself: in
# a shared graph under load, xruns click with or without a glide.)
set -u
. "$FOH_TESTS/lib.sh"

S=$FOH_SESSION
pdir=$XDG_CONFIG_HOME/foh/presets
cat >"$S/foh.conf" <<CONF
[daemon]
channels = 1
[channel.1]
limiter-enabled = false
CONF
export FOH_CONTENT_STYLES="$FOH_SRCDIR/data/content/styles"
start_fohd --config "$S/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"

list=$("$FOHCTL" profile list | tr '\n' ' ')
[ "$list" = "classical electronic jazz rock speech " ] || fail "built-in profiles: $list"
"$FOHCTL" profile show speech | grep -qx 'comp-ratio=3' || fail "speech: $("$FOHCTL" profile show speech)"
"$FOHCTL" profile set myshow comp-ratio=5 reverb-enabled=true || fail "set myshow"
[ -f "$pdir/profile-myshow.conf" ] || fail "no file for myshow"
[ "$("$FOHCTL" profile show myshow | sort | tr '\n' ' ')" = "comp-ratio=5 reverb-enabled=true " ] \
  || fail "myshow reads back as: $("$FOHCTL" profile show myshow)"
for bad in "colour=red:unknown key" "comp-ratio=0.5:comp-ratio" "input=x:not a sound setting" \
           "gate-enabled=maybe:gate-enabled"; do
  out=$("$FOHCTL" profile set bad1 "${bad%%:*}" 2>&1) && fail "${bad%%:*} was taken"
  case $out in *"${bad##*:}"*"nothing was changed"*) ;; *) fail "${bad%%:*}: $out" ;; esac
  [ ! -e "$pdir/profile-bad1.conf" ] || fail "${bad%%:*}: a file was written"
done
note "refused: $out"
printf '[profile]\ncomp-ratio=abc\n' >"$pdir/profile-broken.conf"
out=$("$FOHCTL" profile show broken 2>&1) && fail "a broken profile was read"
case $out in *"$pdir/profile-broken.conf: [profile] comp-ratio:"*) ;; *) fail "broken: $out" ;; esac
note "refused: $out"

# learning over D-Bus: a new style from synthetic music, saved and in use
python3 "$FOH_TESTS/content/programme.py" music "$S/pop.wav" 12 4 || fail "music"
busctl --user call org.foh.Foh1 /org/foh/Foh1/content org.foh.Foh1.Content Learn ssas \
  mypop music 1 "$S/pop.wav" >"$S/learn.txt" || fail "Learn was refused"
read -r _ windows <"$S/learn.txt"
[ "$windows" -ge 15 ] || fail "Learn used $windows windows of 12 s of music"
busctl --user get-property org.foh.Foh1 /org/foh/Foh1/content org.foh.Foh1.Content Centroids \
  | grep -q '"mypop:music"' || fail "mypop is not among the centroids"
grep -q '^\[centroid mypop\]' "$XDG_CONFIG_HOME/foh/content/styles" || fail "mypop was not saved"
for bad in "mypop music 1 pop.wav:absolute path" "mypop loud 1 $S/pop.wav:speech or music" \
           "my/pop music 1 $S/pop.wav:not allowed" "mypop music 0:1 to 64 files"; do
  # shellcheck disable=SC2086
  out=$(busctl --user call org.foh.Foh1 /org/foh/Foh1/content org.foh.Foh1.Content Learn ssas \
        ${bad%%:*} 2>&1) && fail "Learn ${bad%%:*} was taken"
  case $out in *"${bad##*:}"*) ;; *) fail "Learn ${bad%%:*}: $out" ;; esac
done
note "Learn: $windows windows; refused: $out"

# voices: alsa-utils' speaker-position recordings, 3 times over (~20 s)
parts=()
for r in 1 2 3; do
  for v in /usr/share/sounds/alsa/{Front_Center,Front_Left,Front_Right,Rear_Center,Rear_Left}.wav; do
    [ -f "$v" ] || { echo "SKIP: $v missing (alsa-utils)"; exit 77; }
    sox -V1 "$v" -r 48000 -c 1 -b 16 "$S/w$r$(basename "$v")" pad 0 0.2
    parts+=("$S/w$r$(basename "$v")")
  done
done
sox -V1 "${parts[@]}" "$S/speech.wav" norm -3

# a broken profile pinned: nothing changes
chset 1 ProfileMode s manual
chset 1 Profile s broken
sleep 0.5
[ "$(chprop 1 CompRatio)" = 2 ] || fail "pinning a broken profile changed CompRatio to $(chprop 1 CompRatio)"
# mended over D-Bus, the pinned profile is tried again and arrives
"$FOHCTL" profile set broken comp-ratio=7 || fail "mending broken"
wait_for 5 sh -c '[ "$(busctl --user get-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel CompRatio)" = "d 7" ]' \
  || fail "the mended profile did not arrive: CompRatio $(chprop 1 CompRatio)"

# manual: pinned to classical, never switched by what it hears
chset 1 Profile s classical
wait_for 5 sh -c '[ "$(busctl --user get-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel CompRatio)" = "d 1.5" ]' \
  || fail "classical did not arrive: CompRatio $(chprop 1 CompRatio)"
chset 1 ProfileHoldSec d 1
chset 1 ContentEnabled b true
spawn play pw-play --target foh.ch1.capture "$S/speech.wav"
heard_speech() { [ "$(chprop 1 ContentClass)" = '"speech"' ]; }
wait_for 10 heard_speech || fail "no speech heard: $(chprop 1 ContentClass)"
sleep 3
[ "$(chprop 1 Profile)" = '"classical"' ] || fail "manual switched to $(chprop 1 Profile)"
[ "$(chprop 1 CompRatio)" = 1.5 ] || fail "manual: CompRatio $(chprop 1 CompRatio)"
note "manual: heard speech, stayed on classical"

# auto: the same speech switches to the speech profile, gliding
python3 - "$S/glide.txt" <<'PY' &
import subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[1], "w") as f:
    while time.monotonic() - t0 < 8:
        out = subprocess.run(["busctl", "--user", "get-property", "org.foh.Foh1",
                              "/org/foh/Foh1/channel/1", "org.foh.Foh1.Channel", "Profile",
                              "CompRatio"], capture_output=True, text=True).stdout.split("\n")
        f.write("%.2f %s %s\n" % (time.monotonic() - t0, out[0].split()[-1], out[1].split()[-1]))
        f.flush()
        time.sleep(0.05)
PY
poller=$!
sleep 0.5
chset 1 ProfileMode s auto
wait "$poller"
stop play
read -r first last between < <(awk '$3 > 1.5 && $3 < 3 { if (!a) a = $1; b = $1; n++ }
  END { print a + 0, b + 0, n + 0 }' "$S/glide.txt")
note "auto: CompRatio between 1.5 and 3 from $first to $last s ($between samples); $(tail -1 "$S/glide.txt")"
grep -q '"speech" 3$' "$S/glide.txt" || fail "auto did not arrive at speech/3: $(tail -3 "$S/glide.txt" | tr '\n' ' ')"
[ "$between" -ge 3 ] || fail "CompRatio jumped (only $between samples in between)"
within "$(python3 -c "print($last - $first)")" 1.2 2.5 || fail "the glide took $first..$last s, want about 2 s"

note "ok"
