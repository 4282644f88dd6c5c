#!/usr/bin/env bash
# Benchmark: mouth-to-ear latency through foh. The publisher page's fake
# microphone plays a click train (tests/rooms/rooms.py clicks); publisher
# and listener pages in one headless chromium stamp every click onset their
# WebAudio sees (the publisher its own capture, the listener what it
# receives) on the browser's shared clock, performance.timeOrigin +
# performance.now(). The path: publisher Opus encode and WebRTC → foh-web's
# webrtcbin (jitter buffer) → the PipeWire node → fohd's channel 1 (strip,
# compressor off) → the programme's one Opus encode → the listener's
# webrtcbin → chromium's jitter buffer and decode. Prints
#   BENCH rooms-latency p50_ms=… p95_ms=… clicks=20
# (goal ≤ 60 ms on loopback), and before it, with the room's node and the
# channel's output tapped too (LAT_TAPS= turns the taps off), the p50 of
# each stage: "# stage publisher page -> foh.room.lat.<peer>: …", and the listener's
# NetEq figures (getStats: mean jitter-buffer delay and target since start,
# concealment events, packets lost). LAT_SETTLE_S (default 3) is how long
# the pages play before the clicks are timed (NetEq starts at 80 ms and
# comes down over tens of seconds); LAT_ROOMS_CONF adds [rooms] lines. Not
# asserted.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

start_rooms "${LAT_ROOMS_CONF-}"
$ROOMS_PY clicks "$FOH_SESSION/clicks.wav"
chset 1 CompEnabled b false
expect_status 201 POST "$BASE/api/rooms" "{\"id\": \"lat\", \"channel\": ${LAT_CHANNEL:-1}}"
KEY=$(json 'j["publish_key"]')
$ROOMS_PY latency "$BASE" lat "$KEY" "$FOH_SESSION/clicks.wav" 20 ${LAT_TAPS-publisher foh.ch${LAT_CHANNEL:-1}.playback} || fail "latency run failed"
