#!/usr/bin/env bash
# A browser publishes a 1 kHz tone into a room: its audio appears as the
# PipeWire source node foh.room.<id>.<peer>, recorded there at 1 kHz (numpy
# FFT); hostile signalling and room creation are refused by name; the
# room's channel takes that node as its Input while the publisher
# is there and gives it back after; a wrong publish key is refused.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

start_rooms
tone "$FOH_SESSION/tone.wav" 1000 -12 10

expect_status 201 POST "$BASE/api/rooms" '{"id": "r1"}'
KEY=$(json 'j["publish_key"]')
[ "$(json 'j["channel"]')" = 1 ] || fail "the room did not take the first free channel: $(cat "$FOH_SESSION/http.body")"
[ "$(json 'len(j["publish_key"])')" = 32 ] || fail "the publish key is not 32 hex digits"

# wrong keys: refused, named, nothing joins (the first digit changed: a
# key that starts with 0 gets 1, any other gets 0)
case "$KEY" in 0*) WRONG="1${KEY:1}" ;; *) WRONG="0${KEY:1}" ;; esac
$ROOMS_PY wrongkey "$BASE" r1 "$WRONG" >/dev/null || fail "a wrong publish key was not refused"
$ROOMS_PY wrongkey "$BASE" r1 "" >/dev/null || fail "an empty publish key was not refused"
# hostile signalling: refused by name, nothing joins, the socket stays usable
$ROOMS_PY badmsgs "$BASE" r1 "$KEY" >/dev/null || fail "hostile signalling was not refused by name"
wait_for 5 sh -c "curl -s $BASE/api/rooms/r1 | grep -q '\"publishers\":0'" || fail "a peer stayed after leave"
# hostile room creation
expect_status 400 POST "$BASE/api/rooms" '{"id": "../x"}'
expect_status 400 POST "$BASE/api/rooms" '{"channel": "one"}'
expect_status 400 POST "$BASE/api/rooms" '{"programme": "a b"}'
expect_status 409 POST "$BASE/api/rooms" '{"id": "r1"}'
expect_status 200 GET "$BASE/api/rooms/r1"
[ "$(json 'j["publishers"]')" = 0 ] || fail "a refused publisher joined"
[ "$(json '"publish_key" in j')" = False ] || fail "GET shows the publish key"

mkdir -p "$FOH_SESSION/pub"
spawn publisher $ROOMS_PY publish "$BASE" r1 "$KEY" "$FOH_SESSION/tone.wav" "$FOH_SESSION/pub"
wait_for 40 test -s "$FOH_SESSION/pub/peer" || fail "the publisher page did not go live"
NODE=foh.room.r1.$(cat "$FOH_SESSION/pub/peer")
wait_for 10 node_exists "$NODE" || fail "no node $NODE in the graph"
wait_for 5 input_is 1 "$NODE" || fail "channel 1's Input is $(chprop 1 Input), not $NODE"

pw-record --target "$NODE" --rate 48000 --channels 2 "$FOH_SESSION/rec.wav" &
recpid=$!
sleep 2
kill -INT $recpid; wait $recpid 2>/dev/null
read -r hz peak < <($ROOMS_PY freq "$FOH_SESSION/rec.wav")
note "recorded from $NODE: $hz Hz, peak $peak dBFS"
$PY -c "import sys; sys.exit(0 if abs($hz - 1000) < 5 else 1)" || fail "the room's node carries $hz Hz, not 1 kHz"

expect_status 200 GET "$BASE/api/stats"
[ "$(json 'j["publishers"]')" = 1 ] || fail "/api/stats does not count the publisher"

touch "$FOH_SESSION/pub/stop"
wait_for 10 sh -c "! kill -0 $(pid_of publisher)" || fail "the publisher page did not stop"
stop publisher || fail "the publisher page failed (see publisher.log)"
wait_for 10 sh -c "! pw-cli ls Node | grep -q '$NODE'" || fail "$NODE outlived its publisher"
wait_for 5 input_is 1 "" || fail "channel 1's Input was not given back: $(chprop 1 Input)"
echo ok
