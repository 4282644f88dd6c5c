# Shared helpers of the foh-osc tests; sourced after lib.sh. foh-osc binds
# ports the kernel picks (--listen 127.0.0.1:0 --movement-port 0) and the
# tests read them back from its Listen and MovementListen properties.

OSC_BUS=org.foh.Osc1
OSC_PATH=/org/foh/Osc1

osc_on_bus() {
  busctl --user status $OSC_BUS >/dev/null 2>&1
}

# At the end of a test foh-osc, like fohd, must stop cleanly on SIGTERM:
# exit status 0 and no sanitizer report. Then fohd's own check.
check_bridge_exit() {
  local status=$? rc=0
  stop foh-osc || rc=$?
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$FOH_SESSION/foh-osc.log"; then
    echo "FAIL: foh-osc exited with status $rc on SIGTERM" >&2
    grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$FOH_SESSION/foh-osc.log" >&2
    status=1
  fi
  (exit $status)
  check_fohd_exit
}

# start_bridge [ARGS...]: foh-osc on free loopback ports; sets OSC_PORT and
# OSC_MOVEMENT_PORT. Call after start_fohd.
start_bridge() {
  trap check_bridge_exit EXIT
  spawn foh-osc "$FOH_OSC" --listen 127.0.0.1:0 --movement-port 0 \
    --foh-config "$FOH_SESSION/foh.conf" "$@"
  wait_for 10 osc_on_bus || fail "foh-osc did not appear on the bus (see $FOH_SESSION/foh-osc.log)"
  OSC_PORT=$(osc_listen Listen)
  OSC_MOVEMENT_PORT=$(osc_listen MovementListen)
  [ -n "$OSC_PORT" ] && [ -n "$OSC_MOVEMENT_PORT" ] || fail "foh-osc does not say where it listens"
}

# osc_listen PROPERTY: the port of foh-osc's Listen or MovementListen.
osc_listen() {
  busctl --user get-property $OSC_BUS $OSC_PATH org.foh.Osc1 "$1" | sed -n 's/.*:\([0-9]*\)"$/\1/p'
}

# osc_stat NAME: one of foh-osc's counters (Stats).
osc_stat() {
  busctl --user --json=short call $OSC_BUS $OSC_PATH org.foh.Osc1 Stats \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]])' "$1"
}

# osc_stat_is NAME VALUE / osc_stat_above NAME VALUE
osc_stat_is() {
  [ "$(osc_stat "$1")" = "$2" ]
}
osc_stat_above() {
  [ "$(osc_stat "$1")" -gt "$2" ]
}

# send PATH TYPES ARGS...: one OSC message to foh-osc's control port.
send() {
  oscsend 127.0.0.1 "$OSC_PORT" "$@" || fail "oscsend $* failed"
}

# objprop OBJECT IFACE NAME: a fohd property's value, without its type.
objprop() {
  busctl --user get-property org.foh.Foh1 "/org/foh/Foh1/$1" "org.foh.Foh1.$2" "$3" | cut -d' ' -f2-
}

objprop_is() {
  [ "$(objprop "$1" "$2" "$3")" = "$4" ]
}

# both_answer: fohd and foh-osc both answer a D-Bus Ping.
both_answer() {
  busctl --user call org.foh.Foh1 / org.freedesktop.DBus.Peer Ping >/dev/null &&
    busctl --user call $OSC_BUS / org.freedesktop.DBus.Peer Ping >/dev/null
}

# start_pair CHANNELS [BRIDGE ARGS...]: fohd with CHANNELS channels, then
# foh-osc; tracks may come from $FOH_SESSION/music ([decks] music-dirs).
start_pair() {
  mkdir -p "$FOH_SESSION/music"
  printf '[daemon]\nchannels = %s\n[decks]\nmusic-dirs = %s\n' "$1" "$FOH_SESSION/music" \
    >"$FOH_SESSION/foh.conf"
  shift
  start_fohd --config "$FOH_SESSION/foh.conf"
  start_bridge "$@"
}

# expect_str WHAT WANT CMD...: waits up to 5 s until CMD prints WANT.
expect_str() {
  local what=$1 want=$2
  shift 2
  check_str() { [ "$("$@")" = "$want" ]; }
  wait_for 5 check_str "$@" || fail "$what: $("$@"), want $want"
}
