#!/usr/bin/env bash
# The systemd user units (fohd, foh-osc) pass systemd-analyze verify (skipped when the tool
# is absent), and the D-Bus activation file names the bus and the unit.
set -u
. "$FOH_TESTS/lib.sh"

grep -qx 'Name=org.foh.Foh1' "$FOH_BUILDDIR/dbus/org.foh.Foh1.service" || fail "activation file lacks Name"
grep -qx 'SystemdService=fohd.service' "$FOH_BUILDDIR/dbus/org.foh.Foh1.service" || fail "activation file lacks SystemdService"
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed"
  exit 77
fi
# Verify the unit as built, with ExecStart pointing at this build's fohd.
dir=$FOH_SESSION/units
mkdir -p "$dir"
sed "s|^ExecStart=.*|ExecStart=$FOHD|" "$FOH_BUILDDIR/units/fohd.service" >"$dir/fohd.service"
out=$(systemd-analyze --user verify "$dir/fohd.service" 2>&1); rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "systemd-analyze verify failed"
echo "$out" | grep -qi 'fohd.service' && fail "systemd-analyze complained about fohd.service"
echo "ok: fohd.service verifies"
sed "s|^ExecStart=.*|ExecStart=$FOH_OSC|" "$FOH_BUILDDIR/units/foh-osc.service" >"$dir/foh-osc.service"
out=$(systemd-analyze --user verify "$dir/foh-osc.service" 2>&1); rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "systemd-analyze verify failed for foh-osc.service"
echo "$out" | grep -qi 'foh-osc.service' && fail "systemd-analyze complained about foh-osc.service"
echo "ok: foh-osc.service verifies"
