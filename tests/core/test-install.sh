#!/usr/bin/env bash
# `meson install` into a DESTDIR puts every file where a Debian user
# expects it for the build's prefix (FHS and the usual search paths of
# systemd --user, dbus-daemon, WirePlumber and bash-completion), and the
# installed unit, activation file and config point at the installed fohd
# and are valid. Runs without the audio session.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }

dest=$(mktemp -d "${TMPDIR:-/tmp}/foh-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
meson install -C "$FOH_BUILDDIR" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 \
  || { cat "$dest.log" >&2; rm -f "$dest.log"; fail "meson install failed"; }
rm -f "$dest.log"

opt() {
  meson introspect --buildoptions "$FOH_BUILDDIR" | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
prefix=$(opt prefix)
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
bindir=$(abs "$(opt bindir)")
datadir=$(abs "$(opt datadir)")
[ "$(opt systemduserunitdir)" = "" ] || fail "this test expects the default unit directory"

want=(
  "$bindir/fohd"
  "$bindir/fohctl"
  "$bindir/foh-osc"
  "$bindir/foh-sections"
  "$bindir/foh-web"
  "$prefix/lib/systemd/user/fohd.service"
  "$prefix/lib/systemd/user/foh-web.service"
  "$datadir/foh/foh-web.conf"
  "$datadir/foh/web/index.html"
  "$prefix/lib/systemd/user/foh-osc.service"
  "$datadir/dbus-1/services/org.foh.Foh1.service"
  "$datadir/dbus-1/interfaces/org.foh.Foh1.xml"
  "$datadir/dbus-1/interfaces/org.foh.Osc1.xml"
  "$datadir/foh/foh.conf"
  "$datadir/wireplumber/main.lua.d/51-foh.lua"
  "$datadir/bash-completion/completions/fohctl"
)
for f in "${want[@]}"; do
  [ -f "$dest$f" ] || fail "not installed: $f (installed: $(cd "$dest" && find . -type f | sort | tr '\n' ' '))"
done
for b in fohd fohctl foh-osc foh-sections foh-web; do
  [ -x "$dest$bindir/$b" ] || fail "$b is not executable"
done

grep -qx "ExecStart=$bindir/fohd" "$dest$prefix/lib/systemd/user/fohd.service" \
  || fail "fohd.service does not start $bindir/fohd"
grep -q "^ExecStart=$bindir/foh-osc\b" "$dest$prefix/lib/systemd/user/foh-osc.service" \
  || fail "foh-osc.service does not start $bindir/foh-osc"
grep -qx "Exec=$bindir/fohd" "$dest$datadir/dbus-1/services/org.foh.Foh1.service" \
  || fail "the activation file does not run $bindir/fohd"
grep -qx 'complete -F _fohctl fohctl' "$dest$datadir/bash-completion/completions/fohctl" \
  || fail "the completion does not register for fohctl"
cmp -s "$FOH_SRCDIR/dbus/org.foh.Foh1.xml" "$dest$datadir/dbus-1/interfaces/org.foh.Foh1.xml" \
  || fail "the installed interface XML differs from the contract"
"$dest$bindir/fohd" --check-config --config "$dest$datadir/foh/foh.conf" >/dev/null \
  || fail "fohd refuses the installed default config"
echo "ok: meson install puts ${#want[@]} files in place under $prefix"
