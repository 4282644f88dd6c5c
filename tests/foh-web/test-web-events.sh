#!/usr/bin/env bash
# /api/v1/events with a real fohd whose analyzer hears a tone through
# channel 1: a subscriber gets PropertiesChanged (a busctl set-property comes
# back as a "properties" event), channel Levels at ~10 Hz, the stabilizer's
# state at ~5 Hz, L/M/H and binary FFT frames (with SendFft off: foh-web asks
# for the FFT on its own destination while a client takes the fft topic);
# a bad subscribe gets an error.
# A client that stops reading is dropped from its bounded queue (counted in
# slow_clients_dropped) while foh-web's memory stays put; then 1000
# WebSocket connects and disconnects leave foh-web's fd count and RSS
# where they were.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"
. "$FOH_TESTS/foh-web/web.sh"

here=$FOH_TESTS/foh-web
an_conf "$FOH_SESSION/foh.conf" "$(free_port)" "fft = true" "send-fft = false"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
start_web
ws=ws://127.0.0.1:$WEB_PORT/api/v1/events
start_tone tone 1000 -20
# no client reads the feed yet: foh-web's destination is there, "idle", and
# fohd sends it nothing (the plain destination keeps the analyzer running)
web_idle() { anprop Destinations | grep -q '"127.0.0.1:[0-9]* idle web"'; }
wait_for 10 web_idle || fail "foh-web did not register an idle destination: $(anprop Destinations)"
n=$(web_stat osc_received)
sleep 1
[ "$(web_stat osc_received)" = "$n" ] || fail "fohd sent to foh-web's idle destination"

counts=$($PY "$here/wscheck.py" events "$ws" 5 properties,levels,stabilizer,lmh,fft \
  "busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 $CHANNEL_IFACE Gain d -4.5")
[ "$(chprop 1 Gain)" = -4.5 ] || fail "the Gain change did not happen"
web_stat_above osc_received 100 || fail "a client reading lmh and fft, yet foh-web got no feed"
note "5 s of events: $counts"
echo "$counts" | $PY -c '
import json, sys
c = json.load(sys.stdin)
# the rates come from the timers of fohd and foh-web; load only delays them
assert c.get("properties", 0) >= 1, "no properties event"
assert 1 <= c.get("levels", 0) <= 60, "levels missing or faster than 10 Hz"
assert 1 <= c.get("stabilizer", 0) <= 30, "stabilizer missing or faster than 5 Hz"
assert 1 <= c.get("lmh", 0) <= 160, "lmh missing or faster than 30 Hz"
assert c.get("binary", 0) >= 1, "FFT frames missing"
' || fail "events: $counts"
# only what was asked for
counts=$($PY "$here/wscheck.py" events "$ws" 1 levels)
echo "$counts" | $PY -c 'import json, sys; c = json.load(sys.stdin); sys.exit(set(c) - {"hello", "levels"} != set())' \
  || fail "a levels-only subscriber got more: $counts"
counts=$($PY "$here/wscheck.py" events "$ws" 0.5 nosuchtopic)
echo "$counts" | grep -q '"error"' || fail "an unknown topic got no error: $counts"

# a client that stops reading is dropped
busctl --user set-property org.foh.Foh1 $AN_PATH $AN_IFACE FftBins u 1024
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$(pid_of foh-web)/status"; }
fds() { ls "/proc/$(pid_of foh-web)/fd" | wc -l; }
rss0=$(rss)
$PY "$here/wscheck.py" slow 127.0.0.1 "$WEB_PORT" /api/v1/events 6 >/dev/null || fail "the slow client could not connect"
[ "$(web_stat slow_clients_dropped)" -ge 1 ] || fail "a client that does not read was not dropped"
note "slow client dropped; RSS $rss0 -> $(rss) kB"
[ $(( $(rss) - rss0 )) -lt 8192 ] || fail "foh-web grew by $(( $(rss) - rss0 )) kB for a client that does not read"
busctl --user set-property org.foh.Foh1 $AN_PATH $AN_IFACE FftBins u 128

# 1000 connects and disconnects
$PY "$here/wscheck.py" churn "$ws" 100 || fail "churn warm-up failed"
sleep 0.5
fd0=$(fds) rss0=$(rss)
$PY "$here/wscheck.py" churn "$ws" 1000 || fail "1000 connects failed"
fds_at_most() { [ "$(fds)" -le "$1" ]; }
wait_for 5 fds_at_most "$fd0" || fail "fds went from $fd0 to $(fds) after 1000 connects"
note "1000 connects: fds $fd0 -> $(fds), RSS $rss0 -> $(rss) kB"
# (not under AddressSanitizer: its quarantine keeps freed memory and its
# stack depot grows with every traced allocation, so RSS says nothing there;
# LeakSanitizer checks the same churn for leaks at exit instead)
if [ -z "${ASAN_OPTIONS:-}" ]; then
  [ $(( $(rss) - rss0 )) -lt 1024 ] || fail "RSS grew by $(( $(rss) - rss0 )) kB over 1000 connects"
fi
[ "$(web_stat ws_connects)" -ge 1100 ] || fail "ws_connects is $(web_stat ws_connects)"
note "events ok"
