#!/usr/bin/env bash
# fohd starts without PipeWire, keeps serving D-Bus while PipeWire is away,
# reports PipeWireConnected, and reconnects within 3 s of PipeWire's return —
# as the same process.
set -u
. "$FOH_TESTS/lib.sh"

stop wireplumber
stop pipewire
start_fohd
pid=$(pid_of fohd)
prop_is PipeWireConnected false || fail "connected without PipeWire"
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ListDevices >/dev/null 2>&1 \
  && fail "ListDevices answered without PipeWire"
"$FOHCTL" status | grep -q 'not connected' || fail "fohctl status does not say PipeWire is away"

spawn pipewire pipewire
wait_for 3 prop_is PipeWireConnected true || fail "no connection within 3 s of PipeWire starting"
start_wireplumber

for round in 1 2; do
  stop pipewire KILL
  stop wireplumber
  wait_for 3 prop_is PipeWireConnected false || fail "round $round: still connected after kill -9"
  busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager Version >/dev/null \
    || fail "round $round: fohd stopped serving D-Bus"
  prop_is SampleRate 0 || fail "round $round: SampleRate stale while disconnected"
  start=$(date +%s%N)
  spawn pipewire pipewire
  wait_for 3 prop_is PipeWireConnected true || fail "round $round: not reconnected within 3 s"
  note "round $round: reconnected $(( ($(date +%s%N) - start) / 1000000 )) ms after PipeWire started"
  start_wireplumber
  wait_for 3 prop_is SampleRate 48000 || fail "round $round: SampleRate not restored"
done
[ "$(pid_of fohd)" = "$pid" ] && kill -0 "$pid" || fail "fohd is not the same process"
grep -q 'connected to PipeWire' "$FOH_SESSION/fohd.log" || fail "no reconnection in the log"
echo "ok: reconnected as pid $pid"
