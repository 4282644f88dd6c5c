#!/usr/bin/env bash
# RT safety, checked: fohd runs with the RT checker preloaded (rt-check.c)
# while a tone plays through channel 1 and, for 5 s, a loop changes the
# parameters of both channels over D-Bus (the effects too: channel 1 starts
# with reverb, delay, chorus and width on, and both channels toggle them,
# and the leveler with its look-ahead, whose ring is made and dropped) and
# plays test tones; channel 1's content detector is on, so its process
# callback also fills the detector's tap. After fohd
# stops on SIGTERM, the checker's report must show that the channel process
# callback ran (more than 100 RT sections) and that it never allocated, freed
# or took a lock (no violations), with every section entered and left once.
set -u
. "$FOH_TESTS/lib.sh"

if [ -n "${FOH_RT_SKIP:-}" ]; then
  echo "SKIP: $FOH_RT_SKIP"
  exit 77
fi
[ -f "${FOH_RT_CHECK:-}" ] || fail "FOH_RT_CHECK (${FOH_RT_CHECK:-unset}) is not the checker library"

report=$FOH_SESSION/rt-report.txt
conf=$FOH_SESSION/foh.conf
cat >"$conf" <<CONF
[daemon]
channels = 2
[channel.1]
audio-channels = 2
reverb-enabled = true
delay-enabled = true
chorus-enabled = true
width = 150
leveler-enabled = true
leveler-lookahead = 0.5
content-enabled = true
[channel.2]
audio-channels = 2
CONF

# start_fohd, with the checker preloaded into fohd only: not into busctl and
# the pw-* tools below, which would write reports of their own.
trap check_fohd_exit EXIT
spawn fohd env LD_PRELOAD="$FOH_RT_CHECK" FOH_RT_REPORT="$report" "$FOHD" --config "$conf"
wait_for 10 fohd_on_bus || fail "fohd did not appear on the bus (see $FOH_SESSION/fohd.log)"
grep -qF "$(readlink -f "$FOH_RT_CHECK")" "/proc/$(pid_of fohd)/maps" \
  || fail "the checker is not loaded into fohd"
wait_for 5 pw_client_running foh.ch2.capture || fail "the channels are not in the graph"

# A tone longer than everything below, through channel 1, with a 256-frame
# latency so that the graph runs small quanta: many cycles, many chances.
tone "$FOH_SESSION/tone.wav" 440 -12 15
spawn play pw-play --latency 256 --target foh.ch1.capture "$FOH_SESSION/tone.wav"
signal_on_ch1() { [ "$(chprop 1 PeakDb)" != "-120" ]; }
wait_for 5 signal_on_ch1 || fail "the tone does not reach channel 1's meter"

# 5 s of parameter changes on both channels while the tone plays.
bool() { [ $(( $1 % 2 )) -eq 0 ] && echo true || echo false; }
deadline=$(( $(date +%s%N) + 5000000000 ))
i=0 sets=0 tones=0
while [ "$(date +%s%N)" -lt "$deadline" ]; do
  alive play || fail "the tone stopped before the parameter changes did"
  for ch in 1 2; do
    chset "$ch" Gain d $(( i % 13 - 6 ))
    chset "$ch" CompThreshold d $(( -10 - i % 30 ))
    chset "$ch" CompRatio d $(( 1 + i % 10 ))
    chset "$ch" Mute b "$(bool $(( i + 1 )))"
    chset "$ch" GateEnabled b "$(bool "$i")"
    chset "$ch" GateOpen b "$(bool $(( i / 2 )))"
    chset "$ch" EqEnabled b "$(bool $(( i / 3 )))"
    chset "$ch" EqBand2Gain d $(( i % 25 - 12 ))
    chset "$ch" LimiterCeiling d $(( -1 - i % 12 ))
    chset "$ch" LimiterTruePeak b "$(bool "$i")"
    chset "$ch" CompEnabled b "$(bool $(( i + 1 )))"
    chset "$ch" ReverbEnabled b "$(bool $(( i / 2 + ch )))"
    chset "$ch" ReverbDecaySec d $(( 1 + i % 9 ))
    chset "$ch" ReverbSize d "0.$(( i % 10 ))"
    chset "$ch" DelayEnabled b "$(bool $(( i / 3 + ch )))"
    chset "$ch" DelayTimeMs d $(( 50 + i * 37 % 1900 ))
    chset "$ch" DelayPingPong b "$(bool "$i")"
    chset "$ch" ChorusEnabled b "$(bool $(( i / 2 + ch + 1 )))"
    chset "$ch" ChorusVoices u $(( 2 + i % 3 ))
    chset "$ch" Width d $(( i * 17 % 201 ))
    # the look-ahead ring is made and dropped off the data thread
    chset "$ch" LevelerLookaheadSec d "0.$(( i / 2 % 2 * 5 ))"
    chset "$ch" LevelerEnabled b "$(bool $(( i / 3 + ch )))"
    sets=$(( sets + 22 ))
  done
  if [ $(( i % 3 )) -eq 0 ]; then
    for ch in 1 2; do
      busctl --user -- call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone \
        uddd "$ch" $(( 220 * (i % 4 + 1) )) 0.3 -18 || fail "PlayTestTone on channel $ch failed"
      tones=$(( tones + 1 ))
    done
  fi
  i=$(( i + 1 ))
done
alive play || fail "the tone stopped before the parameter changes did"
note "$sets parameter changes and $tones test tones in 5 s, the tone playing throughout"
stop play

stop fohd || fail "fohd exited with status $? on SIGTERM"
[ -s "$report" ] || fail "fohd wrote no RT report to $report"
while IFS= read -r line; do note "$line"; done <"$report"

read -r first <"$report"
[[ $first =~ ^rt_sections=([0-9]+)\ violations=([0-9]+)$ ]] || fail "unreadable report: $first"
sections=${BASH_REMATCH[1]} violations=${BASH_REMATCH[2]}
second=$(sed -n 2p "$report")
[[ $second =~ ^unbalanced=([0-9]+)\  ]] || fail "unreadable report: $second"
unbalanced=${BASH_REMATCH[1]}

if [ $(( violations + unbalanced )) -ne 0 ] && command -v addr2line >/dev/null; then
  # fohd has its own symbols: name its frames with file and line.
  grep -oE '[^ ]*/fohd\+0x[0-9a-f]+' "$report" | sort -u | while IFS=+ read -r obj off; do
    note "$obj+$off: $(addr2line -f -i -p -e "$obj" "$(printf '0x%x' $(( off - 1 )))")"
  done
fi
[ "$sections" -gt 100 ] || fail "only $sections RT sections: the process callback's hooks did not run"
[ "$unbalanced" -eq 0 ] || fail "$unbalanced unbalanced RT sections (enter inside one, or leave outside)"
[ "$violations" -eq 0 ] || fail "$violations calls to the allocator or a lock inside fohd's process callback"
echo "ok: $sections RT sections, no allocation, free or lock in them"
