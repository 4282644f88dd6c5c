#!/usr/bin/env bash
# dbus/org.foh.Osc1.xml equals what the running foh-osc introspects, and
# Stats() names every counter the contract documents.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_fohd
start_bridge
python3 "$FOH_TESTS/core/check-introspection.py" "$FOH_SRCDIR/dbus/org.foh.Osc1.xml" \
  org.foh.Osc1 /org/foh/Osc1 || fail "org.foh.Osc1 differs from its contract"
for c in received messages dispatched coalesced completed refused_invalid refused_unknown_address \
    refused_type refused_range refused_source refused_not_connected refused_busy \
    refused_path decks_unavailable dbus_errors subscribes feedback_sent handled_locally \
    save_failures challenges refused_token feedback_dropped subscribers pending \
    coalescing_keys calls_in_flight timed_calls; do
  grep -q "$c" "$FOH_SRCDIR/dbus/org.foh.Osc1.xml" || fail "the contract does not document $c"
  osc_stat "$c" >/dev/null || fail "Stats() lacks $c"
done
echo "ok: Stats() serves every documented counter"
