#!/usr/bin/env bash
# The browser UI in headless Chromium against a real fohd and foh-web:
# see web-ui.py for what is checked. Screenshots of every view go to
# $FOH_BUILDDIR/tests/foh-web/ui-artifacts.
set -u
. "$FOH_TESTS/lib.sh"

start_fohd
export WEB_PORT=$((20000 + RANDOM % 20000))
ctl="$FOH_TESTS/foh-web/ui-ctl.sh"
"$ctl" start-web || fail "foh-web did not start"
export RESTART_WEB="$ctl restart-web" KILL_FOHD="$ctl kill-fohd" RESTART_FOHD="$ctl start-fohd"
/usr/bin/python3 "$FOH_TESTS/foh-web/web-ui.py" "http://127.0.0.1:$WEB_PORT/" \
  "$FOH_BUILDDIR/tests/foh-web/ui-artifacts" || fail "the browser UI"
