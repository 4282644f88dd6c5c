#!/usr/bin/env bash
# PipeWire killed (SIGKILL) and restarted while settings are being written
# over D-Bus: every write is kept (in fohd and in the file), and every node
# fohd had before — channels, analyzer, decks — is back afterwards, as the
# same fohd process.
set -u
. "$FOH_TESTS/lib.sh"

# foh_nodes: the sorted names of fohd's PipeWire nodes (foh.*).
foh_nodes() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
names = set()
for o in json.load(sys.stdin):
    props = (o.get("info") or {}).get("props") or {}
    if o.get("type", "").endswith(":Node") and str(props.get("node.name")).startswith("foh."):
        names.add(props["node.name"])
print("\n".join(sorted(names)))'
}

printf '[daemon]\nchannels = 4\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
pid=$(pid_of fohd)
settled() { [ "$(foh_nodes | wc -l)" -ge 8 ] && [ "$(foh_nodes)" = "$(sleep 0.5; foh_nodes)" ]; }
wait_for 10 settled || fail "fohd's nodes did not settle: $(foh_nodes | tr '\n' ' ')"
before=$(foh_nodes)
note "fohd's nodes: $(echo $before)"

# 40 writes over about 2 s, PipeWire killed after the 10th and started
# again after the 25th. Each write must be accepted.
for i in $(seq 1 40); do
  ch=$(( i % 4 + 1 ))
  chset "$ch" Gain d "-$(( i % 17 + 1 )).5"
  echo "$ch -$(( i % 17 + 1 )).5" >>"$FOH_SESSION/written"
  case $i in
    10) stop pipewire KILL; stop wireplumber ;;
    25) spawn pipewire pipewire ;;
  esac
  sleep 0.05
done
wait_for 5 prop_is PipeWireConnected true || fail "fohd did not reconnect to PipeWire"
start_wireplumber

for ch in 1 2 3 4; do
  want=$(awk -v c="$ch" '$1 == c { v = $2 } END { print v }' "$FOH_SESSION/written")
  [ "$(chprop "$ch" Gain)" = "$want" ] || fail "channel $ch Gain $(chprop "$ch" Gain), last written $want"
done
back() { [ "$(foh_nodes)" = "$before" ]; }
wait_for 15 back || fail "nodes after the restart: $(foh_nodes | tr '\n' ' '); before: $(echo $before)"
saved() {
  "$FOHD" --check-config --config "$FOH_SESSION/foh.conf" >/dev/null 2>&1 || return 1
  python3 - "$FOH_SESSION/foh.conf" "$FOH_SESSION/written" <<'PY'
import configparser, sys
c = configparser.ConfigParser(strict=False, interpolation=None)
c.read(sys.argv[1])
last = {}
for line in open(sys.argv[2]):
    ch, v = line.split()
    last[ch] = float(v)
sys.exit(0 if all(abs(float(c["channel.%s" % ch]["gain"]) - v) < 1e-9 for ch, v in last.items()) else 1)
PY
}
wait_for 3 saved || fail "the file does not hold the last writes: $(grep -A2 '^\[channel' "$FOH_SESSION/foh.conf")"
[ "$(pid_of fohd)" = "$pid" ] && kill -0 "$pid" || fail "fohd is not the same process"
