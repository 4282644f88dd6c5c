#!/usr/bin/env bash
# The systemd user units (fohd, foh-osc, foh-web) pass systemd-analyze verify
# (skipped when the tool is absent), and the D-Bus activation file names the
# bus and the unit. Then fohd runs under no_new_privs and the kernel's
# memory-deny-write-execute (what the unit's NoNewPrivileges= and
# MemoryDenyWriteExecute= impose) with a channel and the analyzer (FFT on)
# in the graph: a test tone reaches the channel's meter and fohd stops
# cleanly. The FFT's output is not checked here. (Running the units
# themselves needs a systemd user manager, which the test session does not
# have.)
set -u
. "$FOH_TESTS/lib.sh"

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
note "$(systemd-analyze --user security --offline=true "$dir/fohd.service" 2>/dev/null | tail -1)"
printf '[daemon]\nchannels = 1\n[analyzer]\nsource = channel/1\nfft = true\n' >"$FOH_SESSION/foh.conf"
export HARDENED_PROGRAM=/bin/true
"$FOH_TESTS/core/hardened-exec.py"; rc=$?
if [ "$rc" -eq 77 ]; then
  echo "ok: fohd.service verifies (SKIP: this kernel has no PR_SET_MDWE to run fohd under)"
  exit 0
fi
[ "$rc" -eq 0 ] || fail "hardened-exec.py failed ($rc)"
export HARDENED_PROGRAM=$FOHD
FOHD=$FOH_TESTS/core/hardened-exec.py
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.analyzer || fail "the hardened fohd's analyzer is not in the graph"
busctl --user call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager PlayTestTone uddd 1 1000 3 -- -12 \
  || fail "PlayTestTone refused"
tone_metered() { within "$(chprop 1 PeakDb)" -20 0; }
wait_for 5 tone_metered || fail "the test tone did not reach channel 1's meter (PeakDb $(chprop 1 PeakDb))"
echo "ok: fohd.service verifies; fohd runs under no_new_privs + MDWE"
