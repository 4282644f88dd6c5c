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
