#!/usr/bin/env bash
# The Crowdstream addresses (REFERENCE.md, mapped as README.md's OSC
# section says) on both of foh-osc's ports, against fohd's real decks: each
# message sets the deck or mixer property it names (a Gain is
# 20 log10(vol), an EQ percentage follows the README's knob, the movement
# table gives the target BPM); then bad deck ids and argument shapes are
# refused by foh-osc without a D-Bus call.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 1

# deck PORT ADDRESS TYPES ARGS...: sends one message.
# One at a time (taken, then every call answered), so that coalescing
# cannot merge the calls of two messages.

# taken_and_answered N: foh-osc took N messages and every call it made has
# its answer (one Stats call).
taken_and_answered() {
  busctl --user --json=short call $OSC_BUS $OSC_PATH org.foh.Osc1 Stats | python3 -c '
import json, sys
s = json.load(sys.stdin)["data"][0]
sys.exit(0 if s["messages"] == int(sys.argv[1]) and s["completed"] == s["dispatched"] else 1)' "$1"
}
taken=0
deck() {
  local port=$1
  shift
  oscsend 127.0.0.1 "$port" "$@" || fail "oscsend $* failed"
  taken=$(( taken + 1 ))
  wait_for 5 taken_and_answered "$taken" || fail "$*: not taken or not answered"
}
# (fohd always serves decks now; the "not available" path is foh-osc's
# answer to UnknownObject and is no longer reachable from a real fohd.)
busctl --user introspect org.foh.Foh1 /org/foh/Foh1/deck/a >/dev/null 2>&1 \
  || fail "fohd serves no decks"
tone "$FOH_SESSION/music/t1.wav" 440 -20 2
tone "$FOH_SESSION/music/t2.wav" 880 -20 2
T1=$FOH_SESSION/music/t1.wav T2=$FOH_SESSION/music/t2.wav
dk() { objprop "deck/$1" Deck "$2"; }
mx() { objprop mixer Mixer "$1"; }
# near VALUE WANT: |VALUE - WANT| <= 0.01
near() { python3 -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 0.01 else 1)' "$@"; }
lin_db() { python3 -c 'import math, sys; print(20 * math.log10(float(sys.argv[1])))' "$1"; }
# REFERENCE.md's EQ knob: cut-only, 0 % kills, below 50 % cuts 24 (50 - p) / 50 dB, 50 % and above flat
eq_db() { python3 -c '
import sys
p = float(sys.argv[1])
print(-80 if p <= 0 else (-24 * (50 - p) / 50 if p <= 50 else 0))' "$1"; }
# expect WHAT VALUE WANT: waits until VALUE (a command) is near WANT
expect() {
  local what=$1 want=$3
  shift 3
  check() { near "$("$@")" "$want"; }
  wait_for 5 check "$@" 2>/dev/null || fail "$what: $("$@"), want $want"
}

M=$OSC_MOVEMENT_PORT P=$OSC_PORT
deck "$M" /load_buffer is 1 "$T1"
expect_str "/load_buffer 1: deck a Path" "\"$T1\"" dk a Path
deck "$P" /load_buffer ss b "$T2"
expect_str "/load_buffer b: deck b Path" "\"$T2\"" dk b Path
deck "$M" /play_stem iffif 2 1.05 0.8 1 0.5   # TempoRatio, Gain, Loop, Seek, Play
expect "/play_stem: deck b TempoRatio" "" 1.05 dk b TempoRatio
expect "/play_stem: deck b Gain" "" "$(lin_db 0.8)" dk b Gain
expect_str "/play_stem: deck b Loop" true dk b Loop
expect_str "/play_stem: deck b Playing" true dk b Playing
deck "$M" /stop_stem i 2
expect_str "/stop_stem 2: deck b Playing" false dk b Playing
deck "$M" /stem_volume sf b 0.25
expect "/stem_volume b 0.25: deck b Gain" "" "$(lin_db 0.25)" dk b Gain
deck "$P" /crossfade_levels ff 0.3 0.7
expect "/crossfade_levels: deck a Gain" "" "$(lin_db 0.3)" dk a Gain
expect "/crossfade_levels: deck b Gain" "" "$(lin_db 0.7)" dk b Gain
deck "$M" /deck_eq isf 1 low 40
expect "/deck_eq 1 low 40: EqLowDb" "" "$(eq_db 40)" dk a EqLowDb
deck "$M" /deck_eq_all ifff 2 0 50 90
expect "/deck_eq_all 2: EqLowDb" "" "$(eq_db 0)" dk b EqLowDb
expect "/deck_eq_all 2: EqMidDb" "" "$(eq_db 50)" dk b EqMidDb
expect "/deck_eq_all 2: EqHighDb" "" "$(eq_db 90)" dk b EqHighDb
deck "$M" /set_tempo f 124
expect "/set_tempo 124: CurrentBpm" "" 124 mx CurrentBpm
deck "$M" /cue isf 1 "$T2" 0.5
expect_str "/cue 1: deck a Path" "\"$T2\"" dk a Path
expect "/cue 1 at 0.5: deck a Position" "" 0.5 dk a Position
expect_str "/cue: deck a Playing" false dk a Playing
deck "$M" /play isf 2 "$T1" 0.25                # Cue, 0.25 s later StartGroup
expect_str "/play 2: deck b Path" "\"$T1\"" dk b Path
expect_str "/play 2: deck b Playing" true dk b Playing
deck "$P" /fade iff 1 0 0.2                      # deck a's volume to 0 in 0.2 s
expect "/fade 1: deck a Gain" "" -80 dk a Gain
deck "$M" /stop_stem i 1
deck "$M" /stop_stem i 2
deck "$M" /start_group fss 0 a b
expect_str "/start_group: deck a Playing" true dk a Playing
expect_str "/start_group: deck b Playing" true dk b Playing
deck "$M" /dance/total_movement f 0.12
expect "/dance/total_movement 0.12: Movement" "" 0.12 mx Movement
expect "/dance/total_movement 0.12: TargetBpm (118 + 12 (0.12 - 0.10) / 0.5)" "" \
  "$(python3 -c 'print(118 + 12 * (0.12 - 0.10) / 0.5)')" mx TargetBpm
osc_stat_is decks_unavailable 0 || fail "decks_unavailable is $(osc_stat decks_unavailable) with decks served"
echo "ok: every Crowdstream address set what README.md maps it to"

# bad deck ids and shapes are refused here, not sent
before=$(osc_stat dispatched)
oscsend 127.0.0.1 "$OSC_PORT" /stop_stem i 5
oscsend 127.0.0.1 "$OSC_PORT" /stop_stem s z
oscsend 127.0.0.1 "$OSC_PORT" /stem_volume i 1
oscsend 127.0.0.1 "$OSC_PORT" /set_tempo s fast
wait_for 5 osc_stat_is refused_range 2 || fail "refused_range is $(osc_stat refused_range) for two bad deck ids"
wait_for 5 osc_stat_is refused_type 2 || fail "refused_type is $(osc_stat refused_type) for two wrong shapes"
osc_stat_is dispatched "$before" || fail "a refused deck message made a D-Bus call"
both_answer || fail "a daemon stopped answering"
echo "ok: bad deck ids and argument shapes refused; foh-osc keeps serving"
