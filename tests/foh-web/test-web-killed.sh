#!/usr/bin/env bash
# A killed foh-web (SIGKILL: no RemoveDestination) leaves its analyzer
# destination, "127.0.0.1:PORT web" on a port the kernel picked, in fohd and
# in foh.conf. The next foh-web, on a port of its own, replaces it: over
# three kills and starts there is one "web" destination at a time, the
# running foh-web's, in Destinations and in foh.conf; the config's plain
# destination stays; each new foh-web receives the feed. (Each start used
# to add one more: fohd sent to every dead port, and once 16 filled the
# list AddDestination was refused and foh-web got no feed at all.)
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

conf=$FOH_SESSION/foh.conf
plain=$(free_port)
an_conf "$conf" "$plain"
start_fohd --config "$conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
start_tone tone 1000 -20

# the "web" destinations fohd holds, one a line
web_dests() { anprop Destinations | grep -o '"[^"]* web"' | tr -d '"'; }
# the destinations line of foh.conf
conf_dests() { sed -n 's/^destinations *= *//p' "$conf"; }
only_web_is() { [ "$(web_dests)" = "$1" ]; }
conf_has_only() {
  local d
  d=$(conf_dests)
  [ "$(echo "$d" | grep -o ' web' | wc -l)" = 1 ] && [[ "$d" == *"$1"* ]]
}

prev=
for round in 1 2 3; do
  start_web
  # a client reading lmh: foh-web asks for the feed (idle without one); it
  # stays until foh-web goes
  spawn "ws$round" $PY "$FOH_TESTS/foh-web/wscheck.py" fohd-watch \
    "ws://127.0.0.1:$WEB_PORT/api/v1/events" "$FOH_SESSION/ws$round.ready" 120
  wait_for 20 test -s "$FOH_SESSION/ws$round.ready" || fail "round $round: the events client did not connect"
  wait_for 10 web_stat_above osc_received 10 || fail "foh-web $round receives no analyzer feed"
  cur=$(web_dests)
  [ "$(echo "$cur" | wc -l)" = 1 ] && [ -n "$cur" ] \
    || fail "round $round: web destinations are [$cur], want one: $(anprop Destinations)"
  [ "$cur" != "$prev" ] || fail "round $round: foh-web registered $cur again (a new port was expected)"
  anprop Destinations | grep -q "\"127.0.0.1:$plain\"" || fail "the plain destination went: $(anprop Destinations)"
  wait_for 5 conf_has_only "${cur%% *}" || fail "round $round: foh.conf holds [$(conf_dests)], want one web entry, $cur"
  note "round $round: $(anprop Destinations)"
  [ "$round" = 3 ] && break
  stop foh-web KILL
  only_web_is "$cur" || fail "the killed foh-web's destination is not there to be replaced: $(anprop Destinations)"
  prev=$cur
done
# a clean stop still removes it (check_web_exit stops foh-web; look first)
stop foh-web || fail "foh-web did not stop cleanly"
wait_for 5 only_web_is "" || fail "foh-web's destination stayed after a clean stop: $(anprop Destinations)"
trap check_fohd_exit EXIT
echo "ok: a restarted foh-web replaces the destination a killed one left"
