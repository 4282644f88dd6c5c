#!/usr/bin/env bash
# The stabilizer against the fake desk: a bus whose level steps -20 → -35
# dBFS gets its output (level + fader) within ±1 dB of the target; the desk
# goes silent → blind, and not one fader write reaches it; it returns →
# tracking again; a manual SetFader pauses the loop; disabling puts the
# fader back where it was when the loop started. Then the same in mode
# leveler: steps held, one write per interval at most, none while blind. Interval 0.25 s and a
# 0.5 dB deadband keep it short.
set -u
. "$FOH_TESTS/lib.sh"

state_is() { [ "$(sprop State)" = "\"$1\"" ]; }
# every write the desk received, taken or (while silent) dropped
writes() { grep -c 'fader' "$FOH_SESSION/faders.log" 2>/dev/null || true; }

start_fake_desk
desk fader bus5 -5
desk level bus5 -20

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 1
[x32]
address = 127.0.0.1:$desk_port
[stabilizer]
source = x32
output = bus5
target-db = -30
interval-s = 0.25
deadband-db = 0.5
fast-tau-s = 1
slow-tau-s = 4
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
connected() { busctl --user get-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Connected | grep -q true; }
wait_for 5 connected || fail "not connected to the fake desk"
state_is idle || fail "State is $(sprop State) before it was enabled"
stab set-property Enabled b true || fail "enabling was refused"
wait_for 5 bash -c "! busctl --user get-property org.foh.Foh1 /org/foh/Foh1/stabilizer org.foh.Foh1.Stabilizer State | grep -q idle" \
  || fail "the loop did not start"

# The real output: the level the desk's bus carries (set by this test) plus
# the fader the desk holds — not the loop's own estimate (OutputDb).
bus_level=-20
true_output() {
  local f
  read -r _ f < <(busctl --user call org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 GetFader s bus5)
  python3 -c "print($bus_level + $f)"
}
# within TOL dB of the target for HOLD consecutive checks (0.25 s apart)
settled() {
  local ok=0 i out
  for i in $(seq 1 "$2"); do
    out=$(true_output)
    if within "$out" $(( -30 - $1 )) $(( -30 + $1 )); then ok=$((ok + 1)); else ok=0; fi
    sleep 0.25
  done
  [ "$ok" -ge "$2" ]
}
wait_for 30 settled 1 4 || fail "level -20: output $(true_output) dB, not within 1 dB of -30"
note "level -20: output $(true_output) dB (the loop estimates $(sprop OutputDb))"
desk level bus5 -35
bus_level=-35
wait_for 60 settled 1 4 || fail "level -35: output $(true_output) dB, not within 1 dB of -30"
note "level -35: output $(true_output) dB (the loop estimates $(sprop OutputDb))"
# One write per interval at most: the desk's receive times of the loop's
# writes so far are never closer than 0.6 x interval-s (network jitter
# allowed; two writes in one cycle would be microseconds apart).
python3 - "$FOH_SESSION/faders.log" 0.25 <<'PY' || fail "the loop wrote more than once per interval"
import sys
ts = [float(l.split()[0]) for l in open(sys.argv[1]) if "fader" in l]
gaps = [b - a for a, b in zip(ts, ts[1:])]
assert len(ts) >= 3, f"only {len(ts)} writes"
print(f"# {len(ts)} fader writes, the closest two {min(gaps):.3f} s apart (interval {sys.argv[2]} s)")
sys.exit(0 if min(gaps) >= 0.6 * float(sys.argv[2]) else 1)
PY

# Blind: the desk goes silent; not one write reaches it until it is back.
desk silent
wait_for 8 state_is blind || fail "State $(sprop State) while the desk is silent"
before=$(writes)
desk level bus5 -20      # the programme changes while we cannot hear it
bus_level=-20
sleep 2                  # blind time: the loop must not write now
[ "$(writes)" = "$before" ] || fail "the fader was written while blind"
state_is blind || fail "State $(sprop State) while the desk is still silent"
desk resume
wait_for 10 bash -c "! busctl --user get-property org.foh.Foh1 /org/foh/Foh1/stabilizer org.foh.Foh1.Stabilizer State | grep -q blind" \
  || fail "still blind after the desk came back"
wait_for 60 settled 1 4 || fail "after the desk returned: output $(true_output) dB"

# A manual set pauses the loop for PauseSec (5 s): nothing written meanwhile.
stab call SetFader d -3 || fail "SetFader refused"
state_is paused || fail "State $(sprop State) after a manual set"
before=$(writes)
sleep 3
[ "$(writes)" = "$before" ] || fail "the loop wrote the fader while paused"
wait_for 8 bash -c "! busctl --user get-property org.foh.Foh1 /org/foh/Foh1/stabilizer org.foh.Foh1.Stabilizer State | grep -q paused" \
  || fail "the pause did not end"

# Disabling returns the fader to where it was at the start (-5 dB).
stab set-property Enabled b false
wait_for 3 state_is idle || fail "State $(sprop State) after disabling"
read -r _ back < <(busctl --user call org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 GetFader s bus5)
within "$back" -5.2 -4.8 || fail "the fader is at $back dB after disabling, want -5"

# Mode leveler (the channel leveler's controller on the desk's meter): the
# same desk rules. A -20 → -35 step is held, writes never closer than the
# interval, none while blind.
stab set-property Mode s leveler || fail "Mode leveler refused"
mark=$(writes)
stab set-property Enabled b true || fail "enabling (leveler) was refused"
wait_for 30 settled 1 4 || fail "leveler, level -20: output $(true_output) dB"
desk level bus5 -35
bus_level=-35
wait_for 30 settled 1 4 || fail "leveler, level -35: output $(true_output) dB"
note "mode leveler, level -35: output $(true_output) dB"
python3 - "$FOH_SESSION/faders.log" 0.25 "$mark" <<'PY' || fail "mode leveler wrote more than once per interval"
import sys
ts = [float(l.split()[0]) for l in open(sys.argv[1]) if "fader" in l][int(sys.argv[3]):]
gaps = [b - a for a, b in zip(ts, ts[1:])]
print(f"# mode leveler: {len(ts)} fader writes, the closest two {min(gaps):.3f} s apart")
sys.exit(0 if min(gaps) >= 0.6 * float(sys.argv[2]) else 1)
PY
desk silent
wait_for 8 state_is blind || fail "leveler: State $(sprop State) while the desk is silent"
before=$(writes)
desk level bus5 -20
sleep 2
[ "$(writes)" = "$before" ] || fail "mode leveler wrote the fader while blind"
desk resume
stab set-property Enabled b false
wait_for 3 state_is idle || fail "State $(sprop State) after disabling (leveler)"

for bad in "TargetDb d 5" "SlewDb d 0" "Output s bus17" "Source s mic" "Mode s fast" "IntervalSec d nan"; do
  set -- $bad
  before=$(sprop "$1")
  stab set-property "$1" "$2" "$3" 2>/dev/null && fail "$1=$3 was accepted"
  [ "$(sprop "$1")" = "$before" ] || fail "a refused $1 changed it"
done
echo "ok: stabilizer against the desk"
