#!/usr/bin/env bash
# The systemd user units (fohd, foh-osc, foh-web) pass systemd-analyze verify
# (skipped when the tool is absent), and the D-Bus activation file names the
# bus and the unit; their systemd-analyze security exposure is printed.
# Then fohd runs under no_new_privs and the kernel's
# memory-deny-write-execute (what the unit's NoNewPrivileges= and
# MemoryDenyWriteExecute= impose) in a mount namespace like the unit's
# ProtectSystem=strict one, with a channel and the analyzer (FFT on) in the
# graph: a test tone reaches the channel's meter, a setting and a preset
# are saved, and fohd stops cleanly. The FFT's output is not checked here.
# foh-web then runs the same way (its default config, ~/.config/foh and its
# cache directory writable, GST_REGISTRY there as the unit sets it) with
# rooms on: a GStreamer webrtcbin listener joins a room on channel 1 and
# decodes fohd's 1 kHz test tone through foh-web's pipewiresrc/opus/
# webrtcbin pipeline, so GStreamer (ORC included) works under MDWE and a
# read-only system. Not emulated: the system-call filter, PrivateTmp=,
# PrivateUsers=. (Running the units themselves needs a systemd user
# manager, which the test session does not have.)
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

grep -qx 'Name=org.foh.Foh1' "$FOH_BUILDDIR/dbus/org.foh.Foh1.service" || fail "activation file lacks Name"
grep -qx 'SystemdService=fohd.service' "$FOH_BUILDDIR/dbus/org.foh.Foh1.service" || fail "activation file lacks SystemdService"
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed"
  exit 77
fi
# Verify the units as built, with ExecStart pointing at this build's binaries.
dir=$FOH_SESSION/units
mkdir -p "$dir"
verify() {
  local unit=$1 bin=$2 out rc
  sed "s|^ExecStart=.*|ExecStart=$bin|" "$FOH_BUILDDIR/units/$unit" >"$dir/$unit"
  out=$(systemd-analyze --user verify "$dir/$unit" 2>&1); rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] || fail "systemd-analyze verify failed for $unit"
  echo "$out" | grep -qi "$unit" && fail "systemd-analyze complained about $unit"
  echo "ok: $unit verifies"
}
verify fohd.service "$FOHD"
verify foh-osc.service "$FOH_OSC"
verify foh-web.service "$FOH_WEB"
for u in fohd.service foh-osc.service foh-web.service; do
  note "$(systemd-analyze --user security --offline=true "$dir/$u" 2>/dev/null | tail -1)"
done
# fohd as the unit runs it: its default config path (the unit passes no
# --config), under no_new_privs + MDWE (hardened-exec.py) inside a mount
# namespace like the unit's (sandbox-exec.sh: all read-only but the config,
# state and data directories). Each layer is skipped where this machine
# cannot set it up, and said so.
cfg=$XDG_CONFIG_HOME/foh
mkdir -p "$cfg"
printf '[daemon]\nchannels = 1\n[analyzer]\nsource = channel/1\nfft = true\n' >"$cfg/foh.conf"
program=$FOHD layers=""
export HARDENED_PROGRAM=/bin/true
"$FOH_TESTS/core/hardened-exec.py"; rc=$?
hardened_rc=$rc
if [ "$rc" -eq 0 ]; then
  export HARDENED_PROGRAM=$program
  program=$FOH_TESTS/core/hardened-exec.py layers="no_new_privs + MDWE"
elif [ "$rc" -eq 77 ]; then
  note "SKIP: this kernel has no PR_SET_MDWE to run fohd under"
else
  fail "hardened-exec.py failed ($rc)"
fi
export SANDBOX_PROGRAM=/bin/true SANDBOX_RW=$cfg:$XDG_STATE_HOME/foh:$XDG_DATA_HOME/foh
"$FOH_TESTS/core/sandbox-exec.sh"; rc=$?
sandbox_rc=$rc
if [ "$rc" -eq 0 ]; then
  export SANDBOX_PROGRAM=$program
  program=$FOH_TESTS/core/sandbox-exec.sh layers="$layers, ProtectSystem=strict"
elif [ "$rc" -eq 77 ]; then
  note "SKIP: no mount namespace here (not root) to run fohd as ProtectSystem=strict would"
else
  fail "sandbox-exec.sh failed ($rc)"
fi
FOHD=$program
start_fohd
wait_for 5 pw_client_running foh.analyzer || fail "the hardened fohd's analyzer is not in the graph"
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 1000 3 -- -12 \
  || fail "PlayTestTone refused"
tone_metered() { within "$(chprop 1 PeakDb)" -20 0; }
wait_for 5 tone_metered || fail "the test tone did not reach channel 1's meter (PeakDb $(chprop 1 PeakDb))"
# it saves its settings and presets where the unit lets it write
chset 1 Gain d -4
saved() { grep -q '^gain *= *-4$' "$cfg/foh.conf"; }
wait_for 3 saved || fail "the hardened fohd did not save Gain: $(cat "$cfg/foh.conf")"
busctl --user call org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer SavePreset s unit \
  || fail "the hardened fohd cannot save a preset"
[ -f "$cfg/presets/analyzer-unit.conf" ] || fail "no preset file in $cfg/presets"

# foh-web as foh-web.service runs it, under the layers fohd got
export XDG_CACHE_HOME=$FOH_SESSION/cache
printf '[web]\nlisten = 127.0.0.1:0\n[rooms]\n' >"$cfg/foh-web.conf"
program=$FOH_WEB
if [ "$hardened_rc" -eq 0 ]; then
  export HARDENED_PROGRAM=$program
  program=$FOH_TESTS/core/hardened-exec.py
fi
if [ "$sandbox_rc" -eq 0 ]; then
  export SANDBOX_PROGRAM=$program SANDBOX_RW=$cfg:$XDG_CACHE_HOME/foh-web
  program=$FOH_TESTS/core/sandbox-exec.sh
fi
trap check_web_exit EXIT
spawn_web foh-web env GST_REGISTRY="$XDG_CACHE_HOME/foh-web/gst-registry.bin" "$program"
# a fresh GStreamer registry means a plugin scan first: slow under ASan and load
wait_for 60 web_on_bus || fail "the hardened foh-web did not appear on the bus (see foh-web.log)"
BASE=http://127.0.0.1:$(web_port main)
expect_status 201 POST "$BASE/api/rooms" '{"id": "unit", "channel": 1}'
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 1000 20 -- -12 \
  || fail "PlayTestTone refused"
$PY "$FOH_TESTS/rooms/gst_listeners.py" "$BASE" unit 1 1 >"$FOH_SESSION/listener.out" \
  || fail "a room listener of the hardened foh-web failed: $(cat "$FOH_SESSION/listener.out")"
note "$(grep '^listener ' "$FOH_SESSION/listener.out")"
$PY - "$FOH_SESSION/listener.out" <<'PY' || fail "the room listener did not hear 1 kHz: $(cat "$FOH_SESSION/listener.out")"
import sys
lines = [l.split() for l in open(sys.argv[1]) if l.startswith("listener ")]
assert len(lines) == 1 and abs(float(lines[0][2]) - 1000) < 5 and float(lines[0][3]) > -30, lines
PY
[ -f "$XDG_CACHE_HOME/foh-web/gst-registry.bin" ] || fail "GStreamer's registry is not in foh-web's cache directory"
echo "ok: fohd.service, foh-osc.service and foh-web.service verify; fohd and foh-web run under ${layers#, }"
