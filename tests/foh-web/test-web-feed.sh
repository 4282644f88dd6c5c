#!/usr/bin/env bash
# foh-web asks fohd for the analyzer's feed only while a client of its reads
# it. With fohd's analyzer given no destination of its own and no WebSocket
# client on foh-web, foh-web's destination is "idle": fohd keeps it (and
# the "web" replacement) but sends it nothing, so the analyzer's node is
# inactive — an idle fohd stays idle with foh-web running. An events client
# (default topics: lmh among them) makes foh-web ask for the feed at once:
# the analyzer runs and /audio/lmh reaches foh-web. Once the client has gone
# for the grace of 5 s, the destination is idle again and the analyzer
# stops.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

conf=$FOH_SESSION/foh.conf
printf '[daemon]\nchannels = 1\n[analyzer]\nsource = channel/1\ndestinations =\n' >"$conf"
start_fohd --config "$conf"
start_web
web_dest() { anprop Destinations | grep -o '"127.0.0.1:[0-9]*[^"]* web"' | tr -d '"'; }
idle_dest() { [[ "$(web_dest)" == *" idle web" ]]; }
feed_dest() { [ -n "$(web_dest)" ] && ! idle_dest; }
an_runs() { running_nodes | grep -qx foh.analyzer; }
an_stopped() { ! an_runs; }

wait_for 10 idle_dest || fail "no idle destination from foh-web: $(anprop Destinations)"
wait_for 10 an_stopped || fail "the analyzer runs with only foh-web's idle destination"
n=$(web_stat osc_received)
start_tone tone 1000 -20
sleep 1
[ "$(web_stat osc_received)" = "$n" ] || fail "fohd sent to foh-web's idle destination"
note "no client: $(web_dest), the analyzer inactive, nothing sent"

spawn ws $PY "$FOH_TESTS/foh-web/wscheck.py" fohd-watch \
  "ws://127.0.0.1:$WEB_PORT/api/v1/events" "$FOH_SESSION/ws.ready" 60
wait_for 20 test -s "$FOH_SESSION/ws.ready" || fail "the events client did not connect"
wait_for 5 feed_dest || fail "a client reads lmh, yet foh-web's destination is $(web_dest)"
wait_for 5 an_runs || fail "the analyzer does not run for foh-web's client"
wait_for 5 web_stat_above osc_received $((n + 20)) || fail "no feed reached foh-web"
note "a client: $(web_dest), the feed flows"

stop ws
wait_for 15 idle_dest || fail "the client went, yet foh-web's destination is $(web_dest)"
wait_for 10 an_stopped || fail "the analyzer still runs after the client went"
wait_for 5 grep -q ' idle web' "$conf" || fail "foh.conf does not hold the idle destination: $(grep destinations "$conf")"
note "the client gone: idle again"
