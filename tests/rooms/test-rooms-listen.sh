#!/usr/bin/env bash
# A listener page hears the room's programme — the room channel's output,
# processing applied: the publisher's 1 kHz tone reaches the listener's
# WebAudio analyser, and setting the channel's Gain to -6 dB lowers what it
# hears by 6 dB (±1). Closing the listener page takes it out of /api/stats.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

start_rooms
tone "$FOH_SESSION/tone.wav" 1000 -12 10
# the strip's compressor (on by default, threshold -20 dBFS) would rightly
# shrink a gain change made before it: off, so the gain shows 1:1
chset 2 CompEnabled b false
expect_status 201 POST "$BASE/api/rooms" '{"id": "r2", "channel": 2}'
KEY=$(json 'j["publish_key"]')
[ "$(json 'j["programme"]')" = foh.ch2.playback ] || fail "the programme is not channel 2's output"
$ROOMS_PY listen "$BASE" r2 "$KEY" "$FOH_SESSION/tone.wav" 2 || fail "listening failed"
echo ok
