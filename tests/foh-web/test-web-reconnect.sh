#!/usr/bin/env bash
# fohd killed and restarted under a running foh-web: requests get 503 with
# a JSON {error, message} and Retry-After while fohd is gone, the events
# WebSocket says so ({"type":"fohd","fohd":false}, then true), and when fohd
# returns foh-web — the same process — serves again, re-registers with the
# analyzer and its feed flows again.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

here=$FOH_TESTS/foh-web
an_conf "$FOH_SESSION/foh.conf" "$(free_port)"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
start_web
pid=$(pid_of foh-web)
expect_status 200 GET "$BASE/api/v1/manager"

# the events client (default topics, lmh among them) is what makes foh-web
# ask fohd for the feed
$PY "$here/wscheck.py" fohd-watch "ws://127.0.0.1:$WEB_PORT/api/v1/events" "$FOH_SESSION/watching" 60 \
  >"$FOH_SESSION/events.txt" &
events=$!
wait_for 20 test -s "$FOH_SESSION/watching" || fail "the events client did not connect"
wait_for 5 web_stat_above osc_received 10 || fail "no analyzer feed before the restart"
stop fohd KILL
down() { [ "$(http GET "$BASE/api/v1/manager" | cut -d' ' -f1)" = 503 ]; }
wait_for 5 down || fail "fohd gone, yet no 503"
expect_status 503 GET "$BASE/api/v1/channel/1"
[ "$(json 'j["error"]')" = org.foh.Web1.Error.Unavailable ] || fail "503 without the error name"
json 'j["message"]' | grep -q 'fohd is not running' || fail "503 without a reason"
curl -s -D - -o /dev/null "$BASE/api/v1/manager" | grep -qi '^Retry-After: 1' || fail "503 without Retry-After"
expect_status 503 PATCH "$BASE/api/v1/channel/1" '{"Gain": 1}'
expect_status 503 POST "$BASE/api/v1/manager/SelfCheck"
expect_status 503 GET "$BASE/health"
curl -s "$BASE/health" | grep -q '"fohd":false' || fail "/health does not say fohd is down"

spawn fohd "$FOHD" --config "$FOH_SESSION/foh.conf"
wait_for 10 fohd_on_bus || fail "fohd did not come back"
up() { [ "$(http GET "$BASE/api/v1/manager" | cut -d' ' -f1)" = 200 ]; }
wait_for 5 up || fail "foh-web did not recover when fohd returned"
wait_for 10 analyzer_running || fail "the analyzer is not running after the restart"
[ "$(pid_of foh-web)" = "$pid" ] && kill -0 "$pid" || fail "foh-web was restarted"
n=$(web_stat osc_received)
wait_for 10 web_stat_above osc_received $((n + 50)) || fail "the analyzer feed did not resume"
wait "$events"
note "fohd as the events WebSocket saw it: $(cat "$FOH_SESSION/events.txt")"
[ "$(cat "$FOH_SESSION/events.txt")" = "up down up" ] \
  || fail "the events WebSocket did not report fohd going and coming back"
note "reconnect ok"
