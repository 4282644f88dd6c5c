#!/usr/bin/env bash
# A corpus of datagrams that are malformed by OSC 1.0 — truncated,
# misaligned, bad type tags, unterminated strings, huge blob lengths,
# bundles nested 1000 (and 9) deep, bad bundle elements, random bytes —
# goes to both of foh-osc's ports. Every one is counted refused_invalid,
# nothing else is dispatched, and fohd and foh-osc both answer Ping after.
# Two well-formed edge cases ride along: a bundle timetagged far in the
# future applies at once (no timetag queue), and one nested 8 deep (the
# limit) applies too.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 1

python3 "$FOH_TESTS/foh-osc/oscx.py" corpus 127.0.0.1 "$OSC_PORT" "$OSC_MOVEMENT_PORT" \
  >"$FOH_SESSION/corpus.json" || fail "the corpus sender failed"
cat "$FOH_SESSION/corpus.json"
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$FOH_SESSION/corpus.json" "$1"; }
sent=$(field sent)
malformed=$(field malformed)

wait_for 10 osc_stat_is received "$sent" \
  || fail "foh-osc received $(osc_stat received) of $sent datagrams"
both_answer || fail "fohd or foh-osc does not answer Ping after the corpus"
[ "$(osc_stat refused_invalid)" = "$malformed" ] \
  || fail "refused_invalid is $(osc_stat refused_invalid), the corpus holds $malformed malformed datagrams"
echo "ok: $malformed malformed datagrams refused, both daemons answer"
# the well-formed two, once per port: 4 messages → 4 sets (or fewer, coalesced)
[ "$(osc_stat messages)" = 4 ] || fail "messages is $(osc_stat messages), expected the 4 well-formed ones"
wait_for 5 objprop_is channel/1 Channel Gain -9 || fail "the far-future bundle was not applied at once"
wait_for 5 objprop_is channel/1 Channel CompRatio 5 || fail "the 8-deep bundle was not applied"
echo "ok: a far-future bundle and an 8-deep bundle apply at once"
alive foh-osc || fail "foh-osc died"
