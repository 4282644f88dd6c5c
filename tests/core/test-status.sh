#!/usr/bin/env bash
# Manager status values are sane and follow the graph: version, the graph's
# clock (compared with PipeWire's own settings metadata), uptime, xruns,
# CPU load, devices; fohctl's table and JSON say the same.
set -u
. "$FOH_TESTS/lib.sh"

# The graph's values as PipeWire itself publishes them.
settings() {
  pw-metadata -n settings 0 "$1" | sed -n "s/.*key:'$1' value:'\([0-9]*\)'.*/\1/p"
}

start_fohd
[ "$(prop Version)" = "\"$FOH_VERSION\"" ] || fail "Version is $(prop Version), want $FOH_VERSION"
prop_is PipeWireConnected true || fail "PipeWireConnected is $(prop PipeWireConnected)"

rate=$(settings clock.rate)
quantum=$(settings clock.quantum)
[ -n "$rate" ] && [ -n "$quantum" ] || fail "cannot read the graph clock from pw-metadata"
wait_for 5 prop_is SampleRate "$rate" || fail "SampleRate $(prop SampleRate), graph has $rate"
wait_for 5 prop_is Quantum "$quantum" || fail "Quantum $(prop Quantum), graph has $quantum"

pw-metadata -n settings 0 clock.force-quantum 256 >/dev/null
wait_for 5 prop_is Quantum 256 || fail "Quantum did not follow clock.force-quantum=256: $(prop Quantum)"
pw-metadata -n settings 0 clock.force-quantum 0 >/dev/null
wait_for 5 prop_is Quantum "$quantum" || fail "Quantum did not return to $quantum"

u1=$(prop Uptime)
uptime_advanced() { [ "$(prop Uptime)" -gt "$u1" ]; }
wait_for 5 uptime_advanced || fail "Uptime does not advance"
[ "$(prop Xruns)" -ge 0 ] || fail "Xruns is not a count"
python3 - "$(prop CpuLoad)" <<'PY' || fail "CpuLoad out of [0, 1]"
import sys
v = float(sys.argv[1]); sys.exit(0 if 0.0 <= v <= 1.0 else 1)
PY

busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ListDevices \
  >"$FOH_SESSION/devices.txt" || fail "ListDevices failed"
grep -q '"foh-test-sink" "foh test sink" "Audio/Sink"' "$FOH_SESSION/devices.txt" \
  || fail "ListDevices lacks the null sink: $(cat "$FOH_SESSION/devices.txt")"
grep -q '"foh-test-source" "foh test source" "Audio/Source/Virtual"' "$FOH_SESSION/devices.txt" \
  || fail "ListDevices lacks the null source"
grep -q 'Dummy-Driver' "$FOH_SESSION/devices.txt" && fail "ListDevices lists a non-audio driver node"

"$FOHCTL" status >"$FOH_SESSION/status.txt" || fail "fohctl status failed"
grep -Eq '^PipeWire +connected$' "$FOH_SESSION/status.txt" || fail "status table: $(cat "$FOH_SESSION/status.txt")"
grep -Eq "^Sample rate +$rate Hz$" "$FOH_SESSION/status.txt" || fail "status table lacks the rate"
"$FOHCTL" status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["pipewire_connected"] is True, s
assert s["sample_rate"] == int(sys.argv[1]), s
assert s["version"] == sys.argv[2], s
assert s["uptime_usec"] > 0 and s["xruns"] >= 0 and 0 <= s["cpu_load"] <= 1, s
' "$rate" "$FOH_VERSION" || fail "fohctl status --json"
"$FOHCTL" devices --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {x["name"]: x["media_class"] for x in d}
assert names.get("foh-test-sink") == "Audio/Sink", d
assert all(isinstance(x["id"], int) for x in d), d
' || fail "fohctl devices --json"
"$FOHCTL" self-check >"$FOH_SESSION/self-check.txt" || fail "self-check failed: $(cat "$FOH_SESSION/self-check.txt")"
grep -q '^ok pipewire' "$FOH_SESSION/self-check.txt" || fail "self-check does not report PipeWire"

# Mission Control parity: the channel -> device map with per-channel xruns
# (Manager.ChannelMap, Channel.Xruns, fohctl status), and test-tone with the
# seed's defaults and option forms.
chset 1 Output s foh-test-sink
busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ChannelMap \
  | grep -q '^a(usssst) 4 1 "" "" "foh-test-sink" "connected" [0-9]' \
  || fail "ChannelMap: $(prop ChannelMap)"
chprop 1 Xruns | grep -qE '^[0-9]+$' || fail "channel 1 Xruns: $(chprop 1 Xruns)"
"$FOHCTL" status | grep -qE '^1 +- +\(virtual sink\) +foh-test-sink +connected +[0-9]+$' \
  || fail "fohctl status has no channel map: $("$FOHCTL" status)"
"$FOHCTL" status --json | python3 -c '
import json, sys
m = json.load(sys.stdin)["channel_map"]
assert len(m) == 4 and m[0]["output"] == "foh-test-sink" and m[0]["xruns"] >= 0, m' \
  || fail "fohctl status --json has no channel_map"
"$FOHCTL" test-tone | grep -q '1000 Hz at -18 dBFS for 5 s through channel 1' \
  || fail "fohctl test-tone defaults: $("$FOHCTL" test-tone 2>&1)"
"$FOHCTL" test-tone --channel 2 --seconds 1 | grep -q 'for 1 s through channel 2' \
  || fail "fohctl test-tone --channel 2 --seconds 1"
"$FOHCTL" test-tone --channel=3 --level=-12 | grep -q 'at -12 dBFS .* channel 3' \
  || fail "fohctl test-tone --channel=3 --level=-12"
"$FOHCTL" test-tone --channel 9 2>/dev/null && fail "fohctl test-tone --channel 9 succeeded"
"$FOHCTL" test-tone --bogus 2>/dev/null; [ $? -eq 2 ] || fail "fohctl test-tone --bogus is not a usage error"

echo "ok: status follows the graph (rate $rate, quantum $quantum)"
