#!/usr/bin/env bash
# fohd answers busctl introspection, and dbus/org.foh.Foh1.xml equals what it serves.
set -u
. "$FOH_TESTS/lib.sh"

start_fohd
busctl --user introspect org.foh.Foh1 /org/foh/Foh1 >"$FOH_SESSION/introspect.txt" \
  || fail "busctl introspect failed"
grep -q '^org.foh.Foh1.Manager ' "$FOH_SESSION/introspect.txt" \
  || fail "no org.foh.Foh1.Manager interface at /org/foh/Foh1"
python3 "$FOH_TESTS/core/check-introspection.py" "$FOH_SRCDIR/dbus/org.foh.Foh1.xml"
