#!/usr/bin/env bash
# Soak: 16 stereo channels at quantum 128 run 60 s with Xruns unchanged.
# A 1 kHz tone plays into channels 1, 5, 9, 13 and 16; the other channels run
# on silence. Once a second the test checks that fohd is alive and connected
# to PipeWire. Besides fohd's own Xruns it reads PipeWire's view of the
# graph through its profiler (graph-profile; pw-top 0.3.65 has no batch
# mode) and fails if, over the soak,
#  - the driver's xrun counter grew (PipeWire's own graph xruns),
#  - any of fohd's 32 nodes finished a cycle after the cycle's deadline, or
#  - any of them was not scheduled in (nearly) every cycle.
# It prints pw-top's ERR figure (profiles in which a node had not finished)
# for fohd's nodes next to the same figure for the tone players, trivial
# clients in the same graph, but does not fail on it: in 0.3.65 the profiler
# snapshots pw_stream nodes while they may still be updating, so even the
# tone players get a few (see graph-profile.c). It also prints the cycles
# whose start the machine itself delayed by more than 1 ms, which explains
# an xrun that no node could have avoided.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"

channels=16
quantum=128
seconds=60
toned=(1 5 9 13 16)

graph_conf "$FOH_SESSION/foh.conf" $channels
start_fohd --config "$FOH_SESSION/foh.conf"
force_quantum $quantum
wait_for 20 foh_nodes_running $channels || fail "not all $channels channels run in the graph"
start_tones tone -20 "${toned[@]}"
for n in "${toned[@]}"; do
  wait_for 5 within_prop "$n" PeakDb -26 -14 \
    || fail "channel $n does not carry the tone (PeakDb $(chprop "$n" PeakDb))"
done

spawn profile "$GRAPH_PROFILE" --prefix foh --explain 5
wait_for 5 grep -q '^# profiling' "$FOH_SESSION/profile.log" || fail "graph-profile got no profile"

start_xruns=$(prop Xruns)
start_ns=$(now_ns)
note "all $channels channels running at quantum $(prop Quantum); Xruns at the start: $start_xruns"
loads=()
for i in $(seq 1 "$seconds"); do
  # wake at each whole second after the start, whatever the checks cost
  left=$(( start_ns + i * 1000000000 - $(now_ns) ))
  [ "$left" -gt 0 ] && sleep "$(( left / 1000000000 )).$(printf %09d $(( left % 1000000000 )))"
  alive fohd || fail "fohd died after $i s"
  state=$(busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager \
    PipeWireConnected CpuLoad 2>&1) || fail "fohd does not answer after $i s: $state"
  { read -r _ connected; read -r _ load; } <<<"$state"
  [ "$connected" = true ] || fail "fohd lost PipeWire after $i s"
  loads+=("$load")
done
end_xruns=$(prop Xruns)
elapsed_ms=$(( ($(now_ns) - start_ns) / 1000000 ))
foh_nodes_running $channels || fail "not all channels are still running after the soak"
stop profile || fail "graph-profile failed"

read -r load_avg load_max < <(printf '%s\n' "${loads[@]}" | python3 -c '
import sys
v = [float(x) for x in sys.stdin.read().split()]
print(f"{sum(v) / len(v):.4f} {max(v):.4f}")')
note "soak: $channels channels at quantum $quantum for ${elapsed_ms} ms: Xruns $start_xruns -> $end_xruns (+$(( end_xruns - start_xruns ))); CpuLoad mean $load_avg, max $load_max"

expected_cycles=$(( elapsed_ms * 48000 / quantum / 1000 ))
xruns_grew=no
[ "$end_xruns" != "$start_xruns" ] && xruns_grew=yes
python3 - "$FOH_SESSION/profile.log" "$channels" "$expected_cycles" "$quantum" "$xruns_grew" <<'PY'
import re, sys
log, n, expected, quantum = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
xruns_grew = sys.argv[5] == "yes"
foh, tones, drivers, graph = {}, {}, {}, None
for line in open(log):
    m = re.match(r"node (\S+) id=\d+ cycles=(\d+) errors=(\d+) late=(\d+) busy_max_us=(\S+)", line)
    if m:
        v = tuple(int(x) for x in m.groups()[1:4]) + (float(m.group(5)),)
        if m.group(1).startswith("foh.ch"):
            foh[m.group(1)] = v
        elif m.group(1).startswith("foh-tone."):
            tones[m.group(1)] = v
    m = re.match(r"driver (\S+) id=\d+ cycles=(\d+) xruns=(\d+)", line)
    if m:
        drivers[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    m = re.match(r"graph cycles=(\d+) stalls=(\d+) stall_max_us=(\S+)", line)
    if m:
        graph = (int(m.group(1)), int(m.group(2)), float(m.group(3)))

def summary(nodes):
    c = [v[0] for v in nodes.values()] or [0]
    return (f"{len(nodes)} nodes, cycles {min(c)}..{max(c)}, ERR {sum(v[1] for v in nodes.values())}"
            f" (max {max([v[1] for v in nodes.values()] or [0])} per node), late "
            f"{sum(v[2] for v in nodes.values())}, longest process "
            f"{max([v[3] for v in nodes.values()] or [0]):.1f} us")

print(f"# profiler: fohd: {summary(foh)}; ~{expected} cycles expected")
print(f"# profiler: tone players: {summary(tones)}")
for name, (c, x) in drivers.items():
    print(f"# profiler: driver {name}: {c} cycles, {x} xruns")
if graph:
    print(f"# profiler: {graph[1]} of {graph[0]} cycles started more than 1 ms late "
          f"(the driver itself woke late), the latest by {graph[2]:.1f} us")
bad = []
want = {f"foh.ch{i}.{d}" for i in range(1, n + 1) for d in ("capture", "playback")}
if want - set(foh):
    bad.append(f"not in the profile: {sorted(want - set(foh))}")
for name, (c, e, l, b) in sorted(foh.items()):
    if l:
        bad.append(f"{name} finished after the deadline in {l} cycles")
    if c < expected * 0.9:
        bad.append(f"{name} was scheduled in only {c} of ~{expected} cycles")
for name, (c, x) in drivers.items():
    if x:
        bad.append(f"PipeWire counted {x} xruns on the driver {name}")
for b in bad:
    print("# PipeWire's view: " + b)

# The cycles in which a foh node was late, as PipeWire timed them (us after
# the instant the cycle was due): was the node slow, or did the cycle start
# late? (The server may profile a cycle twice: the last profile counts.)
cycles = {}
current = None
for line in open(log):
    m = re.match(r"explain cycle=(\d+) deadline=(\S+)", line)
    if m:
        current = cycles[m.group(1)] = (float(m.group(2)), [])
        continue
    m = re.match(r"explain (\S+) cycle=\d+ signal=(\S+) awake=(\S+) finish=(\S+) status=\d+", line)
    if m and current is not None:
        current[1].append((m.group(1),) + tuple(float(x) for x in m.groups()[1:]))
for deadline, blocks in cycles.values():
    now = [b for b in blocks if b[1] >= 0]
    start = min((b[1] for b in now), default=None)
    late = [f"{b[0]} signalled +{b[1]:.0f}, woke +{b[2]:.0f}, finished +{b[3]:.0f}"
            for b in now if b[0].startswith("foh.ch") and b[3] > deadline]
    tones = [b[3] for b in now if b[0].startswith("foh-tone.") and b[3] >= b[1]]
    print(f"# late cycle: deadline +{deadline:.0f} us, first node signalled "
          + (f"+{start:.0f} us" if start is not None else "?")
          + (f", tone players done by +{max(tones):.0f} us" if tones else "")
          + "; " + "; ".join(late))
if graph and graph[1] and (bad or xruns_grew):
    print(f"# note: the machine itself started {graph[1]} cycles more than 1 ms late (up to "
          f"{graph[2] / 1000:.1f} ms, in {quantum / 48:.2f} ms cycles): where the driver wakes "
          f"that late no client can hold every deadline at this quantum")
open(log + ".verdict", "w").write("bad\n" if bad else "ok\n")
PY
verdict=$(cat "$FOH_SESSION/profile.log.verdict" 2>/dev/null)
status=0
if [ "$end_xruns" != "$start_xruns" ]; then
  echo "FAIL: Xruns went from $start_xruns to $end_xruns during the soak" >&2
  status=1
fi
if [ "$verdict" != ok ]; then
  echo "FAIL: PipeWire's profiler shows fohd's nodes late or missing (lines above)" >&2
  status=1
fi
[ $status -eq 0 ] || exit 1
echo "ok: $channels channels ran ${elapsed_ms} ms at quantum $quantum without an xrun"
