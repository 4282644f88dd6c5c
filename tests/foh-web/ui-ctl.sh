#!/usr/bin/env bash
# ui-ctl.sh VERB, or sourced for ui_ctl VERB: what a browser test asks of
# the session —
#   start-web | restart-web   (re)start foh-web on $WEB_PORT (with
#                             --config $WEB_CONF when that is set)
#   kill-fohd | start-fohd    SIGKILL fohd / start it again (with
#                             $FOH_SESSION/foh.conf when there is one)
# Processes are recorded in $FOH_SESSION/pids like every other (lib.sh);
# sourced, they stay children of the test's shell, whose exit checks see
# their status.
web_up() { curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/health"; }

ui_ctl() {
  case $1 in
  start-web|restart-web)
    stop foh-web
    spawn_web foh-web "$FOH_WEB" ${WEB_CONF:+--config "$WEB_CONF"} --listen "127.0.0.1:$WEB_PORT" \
      --static-dir "$FOH_SRCDIR/web"
    wait_for 10 web_up || fail "foh-web did not answer on $WEB_PORT (see $FOH_SESSION/foh-web.log)"
    ;;
  kill-fohd)
    stop fohd KILL || true
    ;;
  start-fohd)
    if [ -f "$FOH_SESSION/foh.conf" ]; then
      spawn fohd "$FOHD" --config "$FOH_SESSION/foh.conf"
    else
      spawn fohd "$FOHD"
    fi
    wait_for 10 fohd_on_bus || fail "fohd did not come back"
    ;;
  *)
    fail "ui-ctl.sh: unknown verb $1"
    ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  . "$FOH_TESTS/lib.sh"
  ui_ctl "$1"
fi
