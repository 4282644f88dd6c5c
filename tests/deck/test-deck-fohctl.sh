#!/usr/bin/env bash
# fohctl deck and mixer: load and play a tone on deck b with fohctl, read
# it back (Playing, Path), set the crossfader, call SetMovement and see
# TargetBpm follow the table (0.2 → 118 + 12 · 0.05 / 0.5 = 119.2).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

deckaudio tone "$FOH_SESSION/tone.wav" 440 3
start_decks_fohd
"$FOHCTL" deck b Load "$FOH_SESSION/tone.wav" || fail "fohctl deck b Load failed"
"$FOHCTL" deck b Play || fail "fohctl deck b Play failed"
wait_for 3 deck_playing b || fail "deck b does not play"
[ "$("$FOHCTL" deck b Path)" = "$FOH_SESSION/tone.wav" ] || fail "fohctl deck b Path: $("$FOHCTL" deck b Path)"
"$FOHCTL" mixer Crossfader=1 || fail "fohctl mixer Crossfader=1 failed"
xf_is_one() { [ "$("$FOHCTL" mixer Crossfader)" = 1 ]; }
wait_for 2 xf_is_one || fail "Crossfader reads $("$FOHCTL" mixer Crossfader)"
"$FOHCTL" mixer SetMovement 0.2 || fail "fohctl mixer SetMovement failed"
within "$("$FOHCTL" mixer TargetBpm)" 119.19 119.21 || fail "TargetBpm is $("$FOHCTL" mixer TargetBpm)"
"$FOHCTL" deck e Play 2>/dev/null && fail "fohctl deck e was accepted"
"$FOHCTL" deck b Stop || fail "fohctl deck b Stop failed"
wait_for 3 deck_stopped b || fail "deck b does not stop"
echo "ok: fohctl drives the decks and the mixer"
