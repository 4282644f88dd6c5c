#!/usr/bin/env bash
# Tempo: a 2 s, 1 kHz tone file played at TempoRatio 1.1 and recorded from
# the sink. rate (varispeed): 1.1 kHz (±1 %) for 2/1.1 s (±20 ms).
# rubberband (pitch kept): 1 kHz (±1 %) for 2/1.1 s (±20 ms). The expected
# figures come from the ratio, the analysis from the recording alone.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

deckaudio tone "$FOH_SESSION/tone.wav" 1000 2
start_decks_fohd
wait_for 10 decks_linked || fail "foh.decks is not linked to the test sink"

run_method() {
  local method=$1 want_hz=$2 out=$FOH_SESSION/$1.wav stats dur hz want_dur
  deck a set-property StretchMethod s "$method" || fail "StretchMethod=$method refused"
  deck a set-property TempoRatio d 1.1 || fail "TempoRatio refused"
  deck a call Load s "$FOH_SESSION/tone.wav" || fail "Load failed"
  record_sink "$out"
  deck a call Play || fail "Play failed"
  wait_for 3 deck_playing a || fail "deck a did not start ($method)"
  wait_for 5 deck_stopped a || fail "deck a did not stop at the end of the track ($method)"
  stop rec
  read -r dur hz < <(deckaudio tonestats "$out")
  want_dur=$(python3 -c 'print(2 / 1.1)')
  note "$method: $dur s at $hz Hz (want $want_dur s at $want_hz Hz)"
  within "$hz" "$(python3 -c "print($want_hz * 0.99)")" "$(python3 -c "print($want_hz * 1.01)")" \
    || fail "$method: frequency $hz Hz, want $want_hz Hz ±1 %"
  within "$dur" "$(python3 -c "print($want_dur - 0.02)")" "$(python3 -c "print($want_dur + 0.02)")" \
    || fail "$method: duration $dur s, want $want_dur s ±20 ms"
}

run_method rate 1100
run_method rubberband 1000
note "latency of rubberband: $(dprop a LatencySec) s (compensated at start)"
echo "ok: rate gives 1.1 kHz, rubberband 1 kHz, both for 2/1.1 s"
