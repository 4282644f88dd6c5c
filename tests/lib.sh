# Shared shell helpers for foh's private test session and integration tests.
# Sourced, not run. Every process started here records its pid under
# $FOH_SESSION/pids, and session.sh stops exactly those at the end.

FOH_WAIT_STEP=0.05

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

note() {
  echo "# $*"
}

# wait_for SECONDS CMD...: polls CMD until it succeeds; false on timeout.
wait_for() {
  local limit=$1; shift
  local deadline=$(( $(date +%s%N) + ${limit%.*} * 1000000000 ))
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ "$(date +%s%N)" -ge "$deadline" ]; then return 1; fi
    sleep "$FOH_WAIT_STEP"
  done
}

# spawn NAME CMD...: starts CMD in the background, logs to $FOH_SESSION/NAME.log.
spawn() {
  local name=$1; shift
  "$@" >>"$FOH_SESSION/$name.log" 2>&1 &
  echo $! >"$FOH_SESSION/pids/$name.pid"
}

# spawn_web NAME CMD...: spawn for foh-web. Under the sanitizer pass its
# allocations are unwound in full so that GLib's one deliberate leak (see
# foh-web/lsan.supp) can be told apart from ours.
spawn_web() {
  local name=$1; shift
  if [ -n "${ASAN_OPTIONS:-}" ]; then
    spawn "$name" env ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" \
      LSAN_OPTIONS="suppressions=$FOH_TESTS/foh-web/lsan.supp:print_suppressions=0" "$@"
  else
    spawn "$name" "$@"
  fi
}

pid_of() {
  cat "$FOH_SESSION/pids/$1.pid" 2>/dev/null
}

alive() {
  local pid
  pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop NAME [SIGNAL]: signals a process we started and reaps it; returns its
# exit status when it is our child (else 0), 137 when it had to be killed.
stop() {
  local name=$1 sig=${2:-TERM} pid i status=0
  pid=$(pid_of "$name") || return 0
  [ -n "$pid" ] || return 0
  kill -"$sig" "$pid" 2>/dev/null
  for i in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "# $name did not stop on SIG$sig within 10 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || status=$?
  rm -f "$FOH_SESSION/pids/$name.pid"
  return $status
}

# At the end of a test, fohd must stop cleanly on SIGTERM: exit status 0 and
# no sanitizer report.
check_fohd_exit() {
  local status=$? rc=0
  stop fohd || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: fohd exited with status $rc on SIGTERM" >&2
    grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$FOH_SESSION/fohd.log" >&2
    exit 1
  fi
  exit $status
}

pipewire_up() {
  pw-cli info 0 >/dev/null 2>&1
}

wireplumber_up() {
  pw-cli ls Metadata 2>/dev/null | grep -q '"default"'
}

start_pipewire() {
  spawn pipewire pipewire
  wait_for 10 pipewire_up || fail "pipewire did not start (see $FOH_SESSION/pipewire.log)"
}

start_wireplumber() {
  spawn wireplumber wireplumber
  wait_for 10 wireplumber_up || fail "wireplumber did not start (see $FOH_SESSION/wireplumber.log)"
}

fohd_on_bus() {
  busctl --user status org.foh.Foh1 >/dev/null 2>&1
}

# start_fohd [ARGS...]: runs $FOHD and waits until it owns its bus name.
start_fohd() {
  trap check_fohd_exit EXIT
  spawn fohd "$FOHD" "$@"
  wait_for 10 fohd_on_bus || fail "fohd did not appear on the bus (see $FOH_SESSION/fohd.log)"
}

# prop NAME: the value of a Manager property, without its type.
prop() {
  busctl --user get-property org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager "$1" \
    | cut -d' ' -f2-
}

prop_is() {
  [ "$(prop "$1")" = "$2" ]
}

CHANNEL_IFACE=org.foh.Foh1.Channel

# chprop N NAME: a channel property's value, without its type.
chprop() {
  busctl --user get-property org.foh.Foh1 "/org/foh/Foh1/channel/$1" $CHANNEL_IFACE "$2" \
    | cut -d' ' -f2-
}

# chset N NAME SIG VALUE: sets a channel property; fails the test if refused.
chset() {
  busctl --user -- set-property org.foh.Foh1 "/org/foh/Foh1/channel/$1" $CHANNEL_IFACE "$2" "$3" "$4" \
    || fail "setting channel $1 $2=$4 was refused"
}

# stab VERB ARGS...: busctl VERB on the stabilizer's object and interface
# (set-property Enabled b true, call SetFader d -10, ...).
stab() {
  busctl --user -- "$1" org.foh.Foh1 /org/foh/Foh1/stabilizer org.foh.Foh1.Stabilizer "${@:2}"
}

# sprop NAME: a stabilizer property's value, without its type.
sprop() {
  stab get-property "$1" | cut -d' ' -f2-
}

tone() {
  python3 "$FOH_TESTS/tools/audio.py" tone "$@"
}

levels() {
  python3 "$FOH_TESTS/tools/audio.py" levels "$@"
}

# The recorder's input ports are linked (rt-record's foh-rec, or pw-record).
recorder_linked() {
  pw-link -l 2>/dev/null | grep -E -A1 '^(foh-rec|pw-record):input_' | grep -q '|<-'
}

# null_sink NAME: a null sink called NAME, kept while the session lasts.
null_sink() {
  pw-cli create-node adapter "{ factory.name = support.null-audio-sink node.name = $1
    media.class = Audio/Sink audio.position = [ FL FR ] object.linger = true }" >/dev/null \
    || fail "cannot create the null sink $1"
  wait_for 5 pw_client_running "$1" || fail "the null sink $1 did not appear"
}

# running_nodes: the node.name of every node in state "running" (pw-dump),
# one a line.
running_nodes() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    info = o.get("info") or {}
    name = (info.get("props") or {}).get("node.name")
    if o.get("type", "").endswith(":Node") and name and info.get("state") == "running":
        print(name)'
}

# running_count PREFIX: how many running nodes have a name starting with PREFIX.
running_count() {
  running_nodes | awk -v p="$1" 'index($0, p) == 1 { n++ } END { print n + 0 }'
}

# recorder_running: foh-rec runs in the graph (cycles reach it from now on;
# a link alone can still be negotiating).
recorder_running() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if any(o.get("type", "").endswith(":Node") and
                  ((o.get("info") or {}).get("props") or {}).get("node.name") == "foh-rec" and
                  (o.get("info") or {}).get("state") == "running"
                  for o in json.load(sys.stdin)) else 1)'
}

# start_fake_desk: the fake X32 (tests/tools, $FAKE_X32) on a free port,
# driven by lines written to $FOH_SESSION/desk.control (emptied first) and
# logging what it receives to faders.log; sets desk_port.
start_fake_desk() {
  : >"$FOH_SESSION/desk.control"
  spawn desk "$FAKE_X32" --port 0 --log "$FOH_SESSION/faders.log" --control "$FOH_SESSION/desk.control"
  wait_for 5 grep -q 'listening on' "$FOH_SESSION/desk.log" || fail "the fake desk did not start"
  desk_port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$FOH_SESSION/desk.log")
}

# desk LINE...: one control line to the fake desk (fader bus5 -5, level
# bus5 -20, ...: tests/tools/fake-x32.c reads them).
desk() {
  echo "$*" >>"$FOH_SESSION/desk.control"
}

# record_sink OUT.wav: records the test sink's monitor until `stop rec`,
# with rt-record (tests/tools): every cycle from the moment it runs, none
# lost to a busy machine as pw-record's can be.
record_sink() {
  spawn rec "$FOH_RECORD" foh-test-sink "$1"
  wait_for 10 recorder_linked || fail "the recorder was not linked to the test sink"
  wait_for 10 recorder_running || fail "the recorder does not run (see $FOH_SESSION/rec.log)"
}

# rec_missed: the graph cycles the last recording missed (rt-record's last
# line in rec.log, after `stop rec`): an overloaded graph restarts its cycle
# and what the sink heard then is lost, so a duration measured on such a
# recording is the machine's, not fohd's.
rec_missed() {
  sed -n 's/^rt-record: .* missed \([0-9]*\) cycles$/\1/p' "$FOH_SESSION/rec.log" | tail -n 1
}

# through_channel N TONE.wav OUT.wav: plays TONE into channel N's virtual
# sink while recording the test sink's monitor into OUT.
through_channel() {
  local n=$1 in=$2 out=$3
  record_sink "$out"
  pw-play --target "foh.ch$n.capture" "$in" || fail "pw-play failed"
  stop rec
}

pw_client_running() {
  pw-cli ls Node 2>/dev/null | grep -q "node.name = \"$1\""
}

# within VALUE LO HI: LO <= VALUE <= HI (decimals).
within() {
  python3 -c 'import sys; v, lo, hi = map(float, sys.argv[1:]); sys.exit(0 if lo <= v <= hi else 1)' "$@"
}

# node_id NAME: the PipeWire id of the node called NAME (empty if none).
node_id() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    props = (o.get("info") or {}).get("props") or {}
    if o.get("type", "").endswith(":Node") and props.get("node.name") == sys.argv[1]:
        print(o["id"]); break' "$1"
}
