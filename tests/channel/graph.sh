# Shared helpers of the graph tests and benchmarks; sourced after lib.sh.
# The tools are built in tests/graph and passed in the environment:
# $TONE_PLAY, $MUTE_PROBE, $GRAPH_PROFILE.

# graph_conf FILE N: a config with N channels at their defaults.
graph_conf() {
  printf '[daemon]\nchannels = %s\n' "$2" >"$1"
}

# force_quantum Q: forces the graph's quantum and waits until fohd reports it.
force_quantum() {
  pw-metadata -n settings 0 clock.force-quantum "$1" >/dev/null \
    || fail "cannot force the quantum to $1"
  wait_for 5 prop_is Quantum "$1" || fail "fohd reports quantum $(prop Quantum), not $1"
}

# foh_nodes_running N: all 2N streams of channels 1..N are in the graph in
# state "running" (linked, and scheduled by a running driver).
foh_nodes_running() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
n = int(sys.argv[1])
want = {f"foh.ch{i}.{d}" for i in range(1, n + 1) for d in ("capture", "playback")}
running = set()
for o in json.load(sys.stdin):
    info = o.get("info") or {}
    name = (info.get("props") or {}).get("node.name")
    if o.get("type", "").endswith(":Node") and name in want and info.get("state") == "running":
        running.add(name)
sys.exit(0 if running == want else 1)' "$1"
}

# nodes_running NAME...: every named node is in the graph and running.
nodes_running() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
want = set(sys.argv[1:])
running = set()
for o in json.load(sys.stdin):
    info = o.get("info") or {}
    name = (info.get("props") or {}).get("node.name")
    if o.get("type", "").endswith(":Node") and info.get("state") == "running":
        running.add(name)
sys.exit(0 if want <= running else 1)' "$@"
}

# start_tones NAME DBFS N...: one tone-play process (logged as NAME) playing
# a 1 kHz sine at DBFS peak into channels N...; waits until its streams run.
start_tones() {
  local name=$1 dbfs=$2 n targets=() nodes=()
  shift 2
  for n in "$@"; do
    targets+=("foh.ch$n.capture")
    nodes+=("foh-tone.foh.ch$n.capture")
  done
  spawn "$name" "$TONE_PLAY" --hz 1000 --dbfs "$dbfs" "${targets[@]}"
  wait_for 10 nodes_running "${nodes[@]}" || fail "the tone into channels $* does not run"
}

# cpu_ticks PID: utime + stime of a process (all its threads), in clock ticks.
cpu_ticks() {
  # the command name (field 2) may hold spaces: cut after its ")"
  local stat
  stat=$(cat "/proc/$1/stat") || return 1
  stat=${stat##*) }
  set -- $stat
  # after the name: state is field 3 of stat, so utime (14) is $12, stime (15) $13
  echo $(( ${12} + ${13} ))
}

# now_ns: CLOCK_REALTIME in ns (for elapsed times only).
now_ns() {
  date +%s%N
}

# within_prop N NAME LO HI: channel N's property NAME is within [LO, HI].
within_prop() {
  within "$(chprop "$1" "$2")" "$3" "$4"
}
