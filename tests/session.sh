#!/usr/bin/env bash
# session.sh CMD [ARGS...]: runs CMD inside a private session — its own
# dbus-daemon, pipewire and wireplumber in a temporary XDG_RUNTIME_DIR, with
# a null sink and a null source so the graph has a clock, and foh's
# WirePlumber drop-in (conf/wireplumber) — and always stops
# exactly the processes it started, whatever CMD does. Exits with CMD's status.
# FOH_KEEP_SESSION=1 keeps the directory (logs) for a look afterwards.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

FOH_SESSION=$(mktemp -d "${TMPDIR:-/tmp}/foh-session.XXXXXX")
export FOH_SESSION
mkdir -p "$FOH_SESSION/pids" "$FOH_SESSION/run" "$FOH_SESSION/config" \
  "$FOH_SESSION/data" "$FOH_SESSION/state"
chmod 700 "$FOH_SESSION/run"

# The tests' python3 is Debian's, with the modules tools/dev/foh-dev
# installs (numpy, websockets, dbus, gi). A python3 earlier on the PATH
# (a pyenv shim starts about five shells per call, and its interpreter has
# none of those modules) would make each call slow and load-sensitive.
if [ -x /usr/bin/python3 ]; then
  mkdir -p "$FOH_SESSION/bin"
  ln -s /usr/bin/python3 "$FOH_SESSION/bin/python3"
  export PATH="$FOH_SESSION/bin:$PATH"
fi

export XDG_RUNTIME_DIR=$FOH_SESSION/run
export XDG_CONFIG_HOME=$FOH_SESSION/config
export XDG_DATA_HOME=$FOH_SESSION/data
export XDG_STATE_HOME=$FOH_SESSION/state
export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
unset PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR PULSE_SERVER DISPLAY WAYLAND_DISPLAY JACK_DEFAULT_SERVER
# Keep the graph quiet and predictable: no real devices in the private session.
export PIPEWIRE_DEBUG=${PIPEWIRE_DEBUG:-1}

cleanup() {
  local status=$? f name
  trap - EXIT INT TERM
  # Stop what depends on the others first.
  for name in fohd foh-osc wireplumber pipewire; do
    stop "$name"
  done
  for f in "$FOH_SESSION"/pids/*.pid; do
    [ -e "$f" ] || continue
    stop "$(basename "$f" .pid)"
  done
  stop dbus
  if [ "$status" -ne 0 ] && [ -z "${FOH_QUIET_LOGS:-}" ]; then
    for f in "$FOH_SESSION"/*.log; do
      [ -s "$f" ] || continue
      echo "--- last lines of $(basename "$f")" >&2
      tail -n 25 "$f" >&2
    done
  fi
  if [ -n "${FOH_KEEP_SESSION:-}" ]; then
    echo "session kept in $FOH_SESSION" >&2
  else
    rm -rf "$FOH_SESSION"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d" \
  "$XDG_CONFIG_HOME/wireplumber/main.lua.d" \
  "$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d"
cat >"$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/10-foh-session.conf" <<'CONF'
# A clocked graph without hardware: one null sink and one null source.
context.objects = [
  { factory = adapter
    args = {
      factory.name     = support.null-audio-sink
      node.name        = foh-test-sink
      node.description = "foh test sink"
      media.class      = Audio/Sink
      audio.position   = [ FL FR ]
      priority.session = 2000
      priority.driver  = 2000
      object.linger    = true
    }
  }
  { factory = adapter
    args = {
      factory.name     = support.null-audio-sink
      node.name        = foh-test-source
      node.description = "foh test source"
      media.class      = Audio/Source/Virtual
      audio.position   = [ FL FR ]
      object.linger    = true
    }
  }
]
CONF
echo 'alsa_monitor.enabled = false' >"$XDG_CONFIG_HOME/wireplumber/main.lua.d/51-foh-session.lua"
cat >>"$XDG_CONFIG_HOME/wireplumber/main.lua.d/51-foh-session.lua" <<'LUA'
-- no hardware in the private session
function v4l2_monitor.enable() end
function libcamera_monitor.enable() end
LUA
# foh's own WirePlumber drop-in, as a user would have it installed;
# FOH_WP_DROPIN=0 leaves it out (to see what WirePlumber does without it).
if [ "${FOH_WP_DROPIN:-1}" != 0 ]; then
  cp "$here/../conf/wireplumber/main.lua.d/51-foh.lua" "$XDG_CONFIG_HOME/wireplumber/main.lua.d/"
fi
echo 'bluez_monitor.enabled = false' >"$XDG_CONFIG_HOME/wireplumber/bluetooth.lua.d/51-foh-session.lua"

# FOH_PIPEWIRE_DROPIN=FILE: one more pipewire.conf.d drop-in (a test's own
# modules, e.g. a second session receiving RTP).
if [ -n "${FOH_PIPEWIRE_DROPIN:-}" ]; then
  cp "$FOH_PIPEWIRE_DROPIN" "$XDG_CONFIG_HOME/pipewire/pipewire.conf.d/50-test.conf"
fi

spawn dbus dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS"
wait_for 10 busctl --user status >/dev/null || fail "dbus-daemon did not start"
start_pipewire
start_wireplumber

"$@"
