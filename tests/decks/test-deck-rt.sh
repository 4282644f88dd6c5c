#!/usr/bin/env bash
# RT safety of the decks' process callback: fohd runs with the RT checker
# (tests/rt/rt-check.c) preloaded while deck a plays (rate) and deck b
# (rubberband) and, for 3 s, gains, EQ kills, tempo ratios, seeks, the
# crossfader and stops/plays change over D-Bus. The checker must report
# more than 100 RT sections and no allocation, free or lock in them.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

if [ -n "${FOH_RT_SKIP:-}" ]; then
  echo "SKIP: $FOH_RT_SKIP"
  exit 77
fi
report=$FOH_SESSION/rt-report.txt
deckaudio tone "$FOH_SESSION/tone.wav" 330 6
cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 0
[decks]
output = foh-test-sink
[deck.b]
stretch-method = rubberband
CONF
trap check_fohd_exit EXIT
spawn fohd env LD_PRELOAD="$FOH_RT_CHECK" FOH_RT_REPORT="$report" "$FOHD" --config "$FOH_SESSION/foh.conf"
wait_for 10 fohd_on_bus || fail "fohd did not appear on the bus"
wait_for 10 decks_linked || fail "foh.decks is not linked"
for l in a b; do
  deck $l set-property Loop b true || fail "Loop refused"
  deck $l call Load s "$FOH_SESSION/tone.wav" || fail "Load $l failed"
  deck $l call Play || fail "Play $l failed"
done
deadline=$(( $(date +%s%N) + 3000000000 )) i=0
while [ "$(date +%s%N)" -lt "$deadline" ]; do
  deck a set-property Gain d $(( -(i % 20) )) || fail "Gain refused"
  deck b set-property EqLowDb d $(( i % 2 == 0 ? -80 : 0 )) || fail "EqLowDb refused"
  deck a set-property TempoRatio d "1.$(( i % 5 ))" || fail "TempoRatio refused"
  deck b call Seek d "$(( i % 4 )).5" || fail "Seek refused"
  mixer set-property Crossfader d "0.$(( i % 10 ))" || fail "Crossfader refused"
  if [ $(( i % 4 )) -eq 3 ]; then deck a call Stop; deck a call Play; fi
  i=$(( i + 1 ))
done
note "$i rounds of changes"
stop fohd || fail "fohd exited with status $? on SIGTERM"
[ -s "$report" ] || fail "no RT report"
while IFS= read -r line; do note "$line"; done <"$report"
read -r first <"$report"
[[ $first =~ ^rt_sections=([0-9]+)\ violations=([0-9]+)$ ]] || fail "unreadable report: $first"
[ "${BASH_REMATCH[1]}" -gt 100 ] || fail "only ${BASH_REMATCH[1]} RT sections"
[ "${BASH_REMATCH[2]}" -eq 0 ] || fail "${BASH_REMATCH[2]} allocations or locks in the decks' process callback"
echo "ok: ${BASH_REMATCH[1]} RT sections of the decks, none allocated or locked"
