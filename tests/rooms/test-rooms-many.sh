#!/usr/bin/env bash
# Ten listeners at once (GStreamer webrtcbin clients, lighter than ten
# Chromium pages) all hear the room's programme — a 1 kHz tone from a node
# the room names (a pw-loopback source, a pw-play tone playing into it).
# A listen key, when set, is needed.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

start_rooms
tone "$FOH_SESSION/tone.wav" 1000 -12 40
spawn loop pw-loopback --capture-props='media.class=Audio/Sink node.name=tone.sink audio.position=[FL FR]' \
  --playback-props='media.class=Audio/Source node.name=tone.src audio.position=[FL FR]'
wait_for 10 node_exists tone.src || fail "no loopback source"
spawn tone pw-play --target tone.sink "$FOH_SESSION/tone.wav"

expect_status 201 POST "$BASE/api/rooms" '{"id": "many", "channel": 0, "programme": "tone.src", "listen_key": true}'
LKEY=$(json 'j["listen_key"]')
[ ${#LKEY} = 32 ] || fail "no listen key"
$PY -c '
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1].replace("http", "ws") + "/api/rooms/signal", origin=sys.argv[1]) as ws:
        await ws.send(json.dumps({"type": "join", "room": "many", "role": "listener", "key": "x"}))
        m = json.loads(await ws.recv())
        assert m.get("error") == "org.foh.Web1.Error.WrongKey", m
asyncio.run(main())' "$BASE" || fail "a listener without the listen key was let in"

N=${ROOMS_LISTENERS:-10}
$PY "$FOH_TESTS/rooms/gst_listeners.py" "$BASE" many "$N" 2 "$LKEY" >"$FOH_SESSION/many.out" \
  || { curl -s "$BASE/api/stats"; fail "the listeners failed: $(cat "$FOH_SESSION/many.out")"; }
cat "$FOH_SESSION/many.out"
[ "$(grep -c '^listener ' "$FOH_SESSION/many.out")" = "$N" ] || fail "not $N listeners"
$PY - "$FOH_SESSION/many.out" <<'PY' || fail "a listener did not hear 1 kHz"
import sys
for line in open(sys.argv[1]):
    if line.startswith("listener "):
        _, i, hz, peak = line.split()
        assert abs(float(hz) - 1000) < 5, line
        assert float(peak) > -20, line
PY
echo ok
