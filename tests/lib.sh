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
