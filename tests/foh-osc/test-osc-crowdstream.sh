#!/usr/bin/env bash
# A Crowdstream client's session replayed against fohd's real decks through
# foh-osc (REFERENCE.md, "Crowdstream (seed 2)"): upper-case decks, /reset,
# /cue + /start_group 0.0 A, a start_group whose start time sits among the
# decks, /deck_levels and /crossfade_levels at every crossfade step,
# /set_tempo, /deck_eq_all, movement, /fade, buffer ids and the messages
# with nothing for foh to do. The decks play (Playing, Position moving);
# every outcome is checked against REFERENCE.md's formulas; nothing is
# refused.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 0
busctl --user introspect org.foh.Foh1 /org/foh/Foh1/deck/c >/dev/null 2>&1 \
  || fail "fohd serves no deck c by default"
MUSIC=$FOH_SESSION/music
tone "$MUSIC/a.wav" 440 -20 3
tone "$MUSIC/b.wav" 660 -20 3
tone "$MUSIC/c.wav" 880 -20 3

dk() { objprop "deck/$1" Deck "$2"; }
mx() { objprop mixer Mixer "$1"; }
py() { python3 -c "import math, sys; print($1)"; }
near() { python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 0.01 else 1)' "$@"; }
# expect WHAT WANT CMD...: waits until CMD's value is near WANT
expect() {
  local what=$1 want=$2
  shift 2
  check() { near "$("$@")" "$want"; }
  wait_for 5 check "$@" 2>/dev/null || fail "$what: $("$@"), want $want"
}
m() { oscsend 127.0.0.1 "$OSC_MOVEMENT_PORT" "$@" || fail "oscsend $* failed"; }
now() { date +%s.%N; }

m /reset
m /cue ss A "$MUSIC/a.wav"
m /cue ss B "$MUSIC/b.wav"
m /cue ssf C "$MUSIC/c.wav" 0.5
expect_str "/cue A: deck a Path" "\"$MUSIC/a.wav\"" dk a Path
expect_str "/cue C: deck c Path" "\"$MUSIC/c.wav\"" dk c Path
expect_str "/cue: deck a loops" true dk a Loop
expect_str "/cue: deck a keeps its pitch" '"rubberband"' dk a StretchMethod
expect "/cue C 0.5: deck c Position" 0.5 dk c Position
m /start_group fs 0.0 A
expect_str "/start_group 0.0 A: deck a Playing" true dk a Playing
p0=$(dk a Position)
sleep 0.3
p1=$(dk a Position)
python3 -c "import sys; sys.exit(0 if $p1 > $p0 else 1)" || fail "deck a's Position does not advance ($p0, $p1)"
echo "ok: /cue + /start_group 0.0 A plays deck a (Position $p0 → $p1)"

# the start time among the decks, 0.4 s after arrival; C from its cue point
t0=$(now)
m /start_group sfs B 0.4 C
expect_str "/start_group B 0.4 C: deck b Playing" true dk b Playing
t1=$(now)
expect_str "/start_group B 0.4 C: deck c Playing" true dk c Playing
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 0.35 else 1)" \
  || fail "deck b started $(py "$t1 - $t0") s after /start_group, want 0.4 s"
# where deck c is, against where it must be if it started at its cue 0.5
# when the group started (0.4 s after t0): 0.5 + the time played since,
# bracketed by the clock before and after the read (a loaded machine can
# take a second to answer the polls above; ±0.15 s for the start's own
# scheduling)
ta=$(now)
pc=$(dk c Position)
tb=$(now)
python3 -c "import sys; lo = 0.5 + ($ta - $t0 - 0.4) - 0.15; hi = 0.5 + ($tb - $t0 - 0.4) + 0.15; sys.exit(0 if lo <= $pc <= hi else 1)" \
  || fail "deck c is at $pc $(py "$ta - $t0")–$(py "$tb - $t0") s after /start_group: it did not start at its cue 0.5"
echo "ok: start_at is seconds after arrival ($(py "$t1 - $t0") s), decks start from their cue"

# a crossfade, A → B in steps, as the client sends it: plain linear gains
for x in 1 0.75 0.5 0.25 0; do
  y=$(py "1 - $x")
  m /deck_levels ffff "$x" "$y" 0.5 1
  m /crossfade_levels ff "$x" "$y"
done
expect "/crossfade_levels 0 1: deck a Gain (silent floor)" -80 dk a Gain
expect "/crossfade_levels 0 1: deck b Gain" 0 dk b Gain
expect "/deck_levels …: deck c Gain" "$(py "20 * math.log10(0.5)")" dk c Gain
expect "/deck_levels …: deck d Gain" 0 dk d Gain
expect_str "volumes are plain: CrossfaderEnabled" false mx CrossfaderEnabled
m /crossfade_levels ff 1 0.3
expect "/crossfade_levels 1 0.3: deck a Gain" 0 dk a Gain
expect "/crossfade_levels 1 0.3: deck b Gain" "$(py "20 * math.log10(0.3)")" dk b Gain
m /deck_levels f 0.7
expect "/deck_levels 0.7: deck a Gain" "$(py "20 * math.log10(0.7)")" dk a Gain
expect "/deck_levels 0.7: deck b unchanged" "$(py "20 * math.log10(0.3)")" dk b Gain
m /stem_volume if 2100 0.25
expect "/stem_volume 2100 0.25: deck c Gain" "$(py "20 * math.log10(0.25)")" dk c Gain
echo "ok: /deck_levels, /crossfade_levels and /stem_volume are 20 log10(vol), crossfader off"

# DJ EQ: cut-only, 50 % and above flat, 0 % kill, (0, 50) → (pct/50 − 1)·24 dB
m /deck_eq_all sfff A 0 25 90
expect "/deck_eq_all A: low (0 %)" -80 dk a EqLowDb
expect "/deck_eq_all A: mid (25 %)" "$(py "(25 / 50 - 1) * 24")" dk a EqMidDb
expect "/deck_eq_all A: high (90 %, flat)" 0 dk a EqHighDb
m /deck_eq ssf B HIGH 75
expect "/deck_eq B high 75: flat" 0 dk b EqHighDb
m /deck_filter ssf C low 0.5
expect "/deck_filter C low 0.5" "$(py "20 * math.log10(0.5)")" dk c EqLowDb
echo "ok: /deck_eq_all, /deck_eq (cut-only) and /deck_filter"

# tempo: the whole mix, base 120; movement drives the target afterwards
m /set_tempo f 132
expect "/set_tempo 132: CurrentBpm" 132 mx CurrentBpm
expect "/set_tempo 132: deck a (no TrackBpm) EffectiveTempoRatio" "$(py "132 / 120")" dk a EffectiveTempoRatio
m /dance/total_movement f 0.6
expect "movement 0.6 after /set_tempo: TargetBpm" 130 mx TargetBpm
m /dance/total_movement f 0.35
expect "movement 0.35: TargetBpm" "$(py "118 + 12 * min((0.35 - 0.10) / 0.5, 1)")" mx TargetBpm
m /dance/total_movement f 0.03
expect "movement 0.03: TargetBpm" 110 mx TargetBpm
echo "ok: /set_tempo stretches decks without a BPM; movement keeps driving the target"

# /fade A 0.5 0.3: A's volume stays until 0.5 s after arrival, then goes to 0
before=$(dk a Gain)
t0=$(now)
m /fade sff A 0.5 0.3
gone() { near "$(dk a Gain)" -80; }
wait_for 5 gone || fail "/fade A: deck a Gain is $(dk a Gain), want -80"
t1=$(now)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 0.45 else 1)" \
  || fail "/fade A 0.5 began $(py "$t1 - $t0") s after arrival"
expect "/fade A: deck b untouched" "$(py "20 * math.log10(0.3)")" dk b Gain
m /fade sf b 0
expect "/fade b 0: deck b Gain" -80 dk b Gain
echo "ok: /fade ramps that deck (from $before dB) to silence, start_at after arrival"

# /play and /load_buffer + /play_stem by buffer id
m /play ssf D "$MUSIC/a.wav" 0.0
expect_str "/play D: deck d Playing" true dk d Playing
m /stop_stem i 3100
expect_str "/stop_stem 3100: deck d stopped" false dk d Playing
m /start_group if 3100 0.0                       # a buffer id as the deck, the float the time
expect_str "/start_group 3100 0.0: deck d Playing" true dk d Playing
m /load_buffer iss 1100 "$MUSIC/c.wav" stem-b
expect_str "/load_buffer 1100: deck b Path" "\"$MUSIC/c.wav\"" dk b Path
m /play_stem i 1100
expect_str "/play_stem 1100: deck b Playing" true dk b Playing
expect "/play_stem 1100: default vol 0.8" "$(py "20 * math.log10(0.8)")" dk b Gain
m /stop_stem i 1100
expect_str "/stop_stem 1100: deck b stopped" false dk b Playing

# the rest of the original's vocabulary is accepted
for msg in "/get_status" "/test_tone f 440" "/test_tone" "/mixer_cleanup" "/set_meter i 4" \
    "/print_clock i 1" "/dummy"; do
  # shellcheck disable=SC2086
  m $msg
done
wait_for 5 osc_stat_is handled_locally 8 || fail "handled_locally is $(osc_stat handled_locally), want 8"
m /schedule_c_at f 0
for c in refused_unknown_address refused_type refused_range refused_path decks_unavailable; do
  osc_stat_is "$c" 0 || fail "$c is $(osc_stat "$c") after a client's session"
done
both_answer || fail "a daemon stopped answering"
echo "ok: the whole session, nothing refused"
