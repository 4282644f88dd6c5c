#!/usr/bin/env bash
# Group start: decks a and b hold the same click track, b's with its
# polarity inverted, both at the same gain and crossfader level. StartGroup
# starts both on one graph sample, so in the recorded mix every click
# cancels: the mix's peak must stay under 1 % of the peak of deck a playing
# alone (a one-sample offset leaves a residual as large as the click
# itself). Loads are still in flight when StartGroup is called: the start
# waits for them.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

deckaudio clicks "$FOH_SESSION/clicks.wav" 2 0.25
deckaudio clicks "$FOH_SESSION/clicks-inv.wav" 2 0.25 --invert
start_decks_fohd
wait_for 10 decks_linked || fail "foh.decks is not linked to the test sink"

# Reference: deck a alone.
deck a call Load s "$FOH_SESSION/clicks.wav" || fail "Load a failed"
record_sink "$FOH_SESSION/alone.wav"
deck a call Play || fail "Play a failed"
wait_for 3 deck_playing a || fail "deck a did not start"
wait_for 5 deck_stopped a || fail "deck a did not end"
stop rec
alone=$(deckaudio peak "$FOH_SESSION/alone.wav")
note "deck a alone: click peak $alone"
within "$alone" 0.1 1 || fail "deck a alone plays no clicks (peak $alone)"

# Both, loaded without waiting, started as a group at 0 s.
deck a call Load s "$FOH_SESSION/clicks.wav" || fail "Load a failed"
spawn loadb busctl --user -- call org.foh.Foh1 /org/foh/Foh1/deck/b $DECK_IFACE Load s "$FOH_SESSION/clicks-inv.wav"
record_sink "$FOH_SESSION/group.wav"
# b's Load may still be decoding (or not even have arrived: another
# connection): StartGroup is refused only until the Load is there.
group_started() { mixer call StartGroup asd 2 a b 0; }
wait_for 5 group_started || fail "StartGroup was refused"
both_playing() { deck_playing a && deck_playing b; }
wait_for 5 both_playing || fail "the group did not start"
both_stopped() { deck_stopped a && deck_stopped b; }
wait_for 5 both_stopped || fail "the group did not end"
stop rec
[ "$(dprop b Path)" = "\"$FOH_SESSION/clicks-inv.wav\"" ] || fail "deck b holds $(dprop b Path)"
group=$(deckaudio peak "$FOH_SESSION/group.wav")
note "group a+b (b inverted): residual peak $group"
within "$group" 0 "$(python3 -c "print($alone * 0.01)")" \
  || fail "the clicks of a and b do not coincide: residual $group vs click $alone"
echo "ok: the group's clicks cancel to $group (a click alone is $alone)"
