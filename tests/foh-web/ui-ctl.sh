#!/usr/bin/env bash
# ui-ctl.sh VERB: what the browser test asks of the session —
#   start-web | restart-web   (re)start foh-web on $WEB_PORT
#   kill-fohd | start-fohd    SIGKILL fohd / start it again
# Processes are recorded in $FOH_SESSION/pids like every other (lib.sh).
set -u
. "$FOH_TESTS/lib.sh"

web_up() { curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/health"; }

case $1 in
start-web|restart-web)
  stop foh-web
  spawn_web foh-web "$FOH_WEB" --listen "127.0.0.1:$WEB_PORT" --static-dir "$FOH_SRCDIR/web"
  wait_for 10 web_up || fail "foh-web did not answer on $WEB_PORT (see $FOH_SESSION/foh-web.log)"
  ;;
kill-fohd)
  stop fohd KILL || true
  ;;
start-fohd)
  spawn fohd "$FOHD"
  wait_for 10 fohd_on_bus || fail "fohd did not come back"
  ;;
*)
  fail "ui-ctl.sh: unknown verb $1"
  ;;
esac
