#!/usr/bin/env bash
# An idle fohd costs the graph nothing: with no channels, 2 decks and the
# analyzer without destinations, and nothing playing, foh's nodes are in the
# graph (routable: pw-link lists their ports) but inactive, so none is
# "running" in pw-dump and the driver (the test sink) suspends. Each wakes
# when it has work: the analyzer when an OSC destination is added, the
# decks' node when a deck plays. (Idle channels: test channel-idle.)
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/decks/deck.sh"

# node_states: "name=state" for every node, one per line.
node_states() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    info = o.get("info") or {}
    if o.get("type", "").endswith(":Node"):
        print("%s=%s" % ((info.get("props") or {}).get("node.name"), info.get("state")))'
}
state_is() {
  node_states | grep -qx "$1=$2"
}
# not_running NAME: the node is in the graph and not scheduled.
not_running() {
  local states
  states=$(node_states)
  grep -q "^$1=" <<<"$states" && ! grep -qx "$1=running" <<<"$states"
}
foh_nodes="foh.decks foh.analyzer"
all_idle() {
  local states n
  states=$(node_states)
  for n in $foh_nodes; do
    grep -qx "$n=running" <<<"$states" && return 1
    grep -q "^$n=" <<<"$states" || return 1
  done
  grep -qx "foh-test-sink=suspended" <<<"$states"
}

printf '[daemon]\nchannels = 0\n[analyzer]\ndestinations =\n[decks]\noutput = foh-test-sink\n' \
  >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 15 all_idle || fail "fohd is not idle: $(node_states | tr '\n' ' ')"
for n in foh.decks foh.analyzer; do
  pw-link -l 2>/dev/null | grep -q "^$n:" || fail "$n has no linked ports while idle"
done
note "idle: $(node_states | grep -E '^(foh|foh-test-sink)' | tr '\n' ' ')"

# An OSC destination wakes the analyzer; removing it puts it back to sleep.
busctl --user call org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer \
  AddDestination s 127.0.0.1:9 || fail "AddDestination refused"
wait_for 5 state_is foh.analyzer running || fail "the analyzer does not run with a destination"
busctl --user call org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer \
  RemoveDestination s 127.0.0.1:9 || fail "RemoveDestination refused"
wait_for 5 not_running foh.analyzer || fail "the analyzer still runs without a destination"

# A deck that plays wakes foh.decks; 2 s after it ends the node sleeps again.
python3 "$FOH_TESTS/tools/audio.py" tone "$FOH_SESSION/tone.wav" 1000 -20 1
deck a call Load s "$FOH_SESSION/tone.wav" || fail "Load failed"
state_is foh.decks running && fail "foh.decks runs after a Load alone"
deck a call Play || fail "Play failed"
wait_for 5 state_is foh.decks running || fail "foh.decks does not run while deck a plays"
wait_for 3 deck_playing a || fail "deck a did not start"
wait_for 10 not_running foh.decks || fail "foh.decks still runs after the track ended"
