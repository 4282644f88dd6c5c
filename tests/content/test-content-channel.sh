#!/usr/bin/env bash
# The content detector of a channel in fohd: a programme of real recorded
# speech (alsa-utils' voice), a pause and synthetic music played into
# channel 1 switches ContentClass speech → silence → music in that order,
# each within 5 s of wall-clock time after the change in what is played
# (the 2 s of signal content-programme checks, plus what a loaded machine
# adds to playing and polling), with a
# ContentChanged signal for each, and foh-osc's /foh/ch/1/content ,ssf
# feedback to a subscribed surface; with ContentEnabled off it stays
# "unknown".
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

voices=(/usr/share/sounds/alsa/Front_Center.wav /usr/share/sounds/alsa/Front_Left.wav
        /usr/share/sounds/alsa/Front_Right.wav /usr/share/sounds/alsa/Rear_Center.wav
        /usr/share/sounds/alsa/Rear_Left.wav /usr/share/sounds/alsa/Rear_Right.wav
        /usr/share/sounds/alsa/Side_Left.wav /usr/share/sounds/alsa/Side_Right.wav)
for v in "${voices[@]:0:5}"; do
  [ -f "$v" ] || { echo "SKIP: $v missing (alsa-utils; tools/dev/foh-dev deps)"; exit 77; }
done

S=$FOH_SESSION
parts=()
i=0
for v in "${voices[@]:0:5}"; do
  sox -V1 "$v" -r 48000 -c 1 -b 16 "$S/w$i.wav" pad 0 0.2 || fail "sox failed on $v"
  parts+=("$S/w$i.wav")
  i=$((i + 1))
done
sox -V1 "${parts[@]}" "$S/speech.wav" norm -3 || fail "sox: speech"
sox -V1 -n -r 48000 -c 1 -b 16 "$S/pause.wav" trim 0 4
python3 "$FOH_TESTS/content/programme.py" music "$S/music.wav" 7 || fail "music"
sox -V1 "$S/speech.wav" "$S/pause.wav" "$S/music.wav" "$S/programme.wav" || fail "sox: programme"
speech_s=$(soxi -D "$S/speech.wav")

cat >"$S/foh.conf" <<CONF
[daemon]
channels = 1
CONF
export FOH_CONTENT_STYLES="$FOH_SRCDIR/data/content/styles"
start_fohd --config "$S/foh.conf"
wait_for 5 pw_client_running foh.ch1.capture || fail "channel 1 is not in the graph"
start_bridge
[ "$(chprop 1 ContentEnabled)" = false ] || fail "ContentEnabled is on by default"
[ "$(chprop 1 ContentClass)" = '"unknown"' ] || fail "ContentClass is not unknown while off"
chset 1 ContentEnabled b true

busctl --user monitor --match "type='signal',interface='org.foh.Foh1.Channel',member='ContentChanged'" \
  >"$S/signals.txt" 2>&1 &
mon=$!
# poll ContentClass every 100 ms while the programme plays; t from the start
python3 - "$S/timeline.txt" "$S/stop" <<'PY' &
import os, subprocess, sys, time
t0 = time.time()
with open(sys.argv[1], "w") as f:
    while time.time() - t0 < 60 and not os.path.exists(sys.argv[2]):
        r = subprocess.run(["busctl", "--user", "get-property", "org.foh.Foh1",
                            "/org/foh/Foh1/channel/1", "org.foh.Foh1.Channel", "ContentClass"],
                           capture_output=True, text=True)
        f.write("%.3f %s\n" % (time.time(), r.stdout.split()[-1].strip('"') if r.stdout else "?"))
        f.flush()
        time.sleep(0.1)
PY
poller=$!
python3 "$FOH_TESTS/foh-osc/oscx.py" listen "$OSC_PORT" "$(python3 -c "print($(soxi -D "$S/programme.wav") + 3)")" \
  >"$S/osc.json" &
surface=$!
wait_for 10 test -s "$S/timeline.txt" || fail "the poller did not start"
t_play=$(date +%s.%N)
pw-play --target foh.ch1.capture "$S/programme.wav" || fail "pw-play failed"
sleep 2.5
touch "$S/stop"
wait "$poller"
wait "$surface"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null

# the first time each class was seen, relative to the start of play
first() { awk -v c="$1" -v after="$2" -v t0="$t_play" '$2 == c && $1 - t0 >= after { printf "%.2f\n", $1 - t0; exit }' "$S/timeline.txt"; }
t_speech=$(first speech 0)
[ -n "$t_speech" ] || fail "speech was never detected ($(tr '\n' ' ' <"$S/timeline.txt" | head -c 600))"
t_silence=$(first silence "$(python3 -c "print($t_speech + 0.5)")")
t_music=$(first music "$(python3 -c "print(${t_silence:-0} + 0.5)")")
note "speech at ${t_speech} s (starts at 0), silence at ${t_silence:-never} s (pause at $speech_s), music at ${t_music:-never} s (starts at $(python3 -c "print($speech_s + 4)"))"
[ -n "$t_silence" ] && [ -n "$t_music" ] || fail "not every class was detected"
# 2 s for the detector; the rest for the graph, the poll and pw-play's start
within "$t_speech" 0 5 || fail "speech detected $t_speech s after it began"
within "$t_silence" "$speech_s" "$(python3 -c "print($speech_s + 5)")" || \
  fail "silence detected at $t_silence s, the pause began at $speech_s s"
within "$t_music" "$(python3 -c "print($speech_s + 4)")" "$(python3 -c "print($speech_s + 9)")" || \
  fail "music detected at $t_music s, it began at $(python3 -c "print($speech_s + 4)") s"
# inside each passage (after its first 2 s) the class holds
# "unknown" (over the gate after silence, not judged yet) is no decision
changes=$(awk '$2 == "unknown" { next } { if (seen && $2 != last) n++; last = $2; seen = 1 } END { print n + 0 }' "$S/timeline.txt")
note "class changes in the timeline: $changes"
[ "$changes" -le 4 ] || fail "the class changed $changes times (flicker): $(awk '{print $2}' "$S/timeline.txt" | uniq -c | tr '\n' ' ')"
grep -q '"speech"' "$S/signals.txt" && grep -q '"music"' "$S/signals.txt" || \
  fail "no ContentChanged signal for speech and music: $(head -c 400 "$S/signals.txt")"
python3 - "$S/osc.json" <<'PY' || fail "no /foh/ch/1/content feedback for speech and music: $(head -c 400 "$S/osc.json")"
import json, sys
got = [m for m in json.load(open(sys.argv[1])) if m[1] == "/foh/ch/1/content"]
print("# osc:", [(m[3][0], m[3][1], round(m[3][2], 2)) for m in got])
assert all(m[2] == "ssf" for m in got)
assert {"speech", "music"} <= {m[3][0] for m in got}
PY

chset 1 ContentEnabled b false
wait_for 3 sh -c '[ "$(busctl --user get-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel ContentClass)" = "s \"unknown\"" ]' \
  || fail "ContentClass is not unknown after turning detection off"
note "ok"
