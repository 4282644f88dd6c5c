#!/usr/bin/env bash
# The Crowdstream addresses (deck-contract.md) on both ports. Until fohd
# serves decks, every call they make is answered UnknownObject/UnknownMethod:
# decks_unavailable rises by exactly the D-Bus calls each address makes
# (counted from the contract's mapping below), "decks not available" is
# logged, and foh-osc keeps serving. When fohd does serve decks, the same
# messages must set what the contract says: Gain = 20 log10(vol).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/osc/osc.sh"

start_pair 1

# deck PORT CALLS ADDRESS TYPES ARGS...: CALLS is how many D-Bus calls the
# contract maps the message to.
# One at a time (taken, then every call answered), so that coalescing
# cannot merge the calls of two messages.
expected=0
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
  local port=$1 calls=$2
  shift 2
  oscsend 127.0.0.1 "$port" "$@" || fail "oscsend $* failed"
  expected=$(( expected + calls )) taken=$(( taken + 1 ))
  wait_for 5 taken_and_answered "$taken" || fail "$*: not taken or not answered"
}
decks_exist() { busctl --user introspect org.foh.Foh1 /org/foh/Foh1/deck/a >/dev/null 2>&1; }
if decks_exist; then
  M=$OSC_MOVEMENT_PORT
  deck "$M" 1 /stem_volume if 1 0.5
  gain_is() { within "$(objprop deck/a Deck Gain)" -6.03 -6.01; }
  wait_for 5 gain_is || fail "/stem_volume 1 0.5: deck a Gain is $(objprop deck/a Deck Gain), not 20 log10(0.5)"
  echo "ok: decks exist; /stem_volume 1 0.5 → Gain $(objprop deck/a Deck Gain)"
  exit 0
fi

for port in "$OSC_MOVEMENT_PORT" "$OSC_PORT"; do
  deck "$port" 1 /load_buffer is 1 /tmp/track.wav
  deck "$port" 5 /play_stem iffif 2 1.05 0.8 1 12.5   # TempoRatio, Gain, Loop, Seek, Play
  deck "$port" 1 /play_stem s a                       # Play
  deck "$port" 1 /stop_stem i 1
  deck "$port" 1 /stem_volume sf b 0.25
  deck "$port" 2 /crossfade_levels ff 0.3 0.7
  deck "$port" 1 /deck_eq isf 1 low 40
  deck "$port" 3 /deck_eq_all ifff 2 10 50 90
  deck "$port" 1 /set_tempo f 124
  deck "$port" 1 /cue isf 1 /tmp/track.wav 30
  deck "$port" 2 /play isf 2 /tmp/track.wav 8         # Cue, Play
  deck "$port" 1 /fade if 2 0
  deck "$port" 1 /start_group fss 4 a b
  deck "$port" 1 /dance/total_movement f 0.12
done
osc_stat_is decks_unavailable "$expected" \
  || fail "decks_unavailable is $(osc_stat decks_unavailable), the messages make $expected calls"
grep -q 'decks not available' "$FOH_SESSION/foh-osc.log" || fail "foh-osc did not log 'decks not available'"
# at most one line per 10 s
[ "$(grep -c 'decks not available' "$FOH_SESSION/foh-osc.log")" -le $(( SECONDS / 10 + 1 )) ] \
  || fail "the log is not rate-limited"
echo "ok: $expected deck calls answered 'not available', counted"

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
