#!/usr/bin/env bash
# Benchmark: foh-web's CPU and memory with 1 and with 20 room listeners
# (GStreamer webrtcbin clients) on one encoded-once programme. Prints
#   BENCH rooms_fanout listeners=N cpu_pct=P rss_kib=R
#   BENCH rooms_fanout_memory kib_per_listener=K cpu_ratio_20_to_1=X
# (K: foh-web's RSS growth from 1 to 20 listeners, over 19)
# (CPU over 4 s once every listener decodes audio; the goal: 20 listeners
# under 2x the CPU of one). Not asserted.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

start_rooms "${ROOMS_CONF-}"
tone "$FOH_SESSION/tone.wav" 1000 -12 120
spawn loop pw-loopback --capture-props='media.class=Audio/Sink node.name=tone.sink audio.position=[FL FR]' \
  --playback-props='media.class=Audio/Source node.name=tone.src audio.position=[FL FR]'
wait_for 10 node_exists tone.src || fail "no loopback source"
spawn tone pw-play --target tone.sink "$FOH_SESSION/tone.wav"
expect_status 201 POST "$BASE/api/rooms" '{"id": "bench", "channel": 0, "programme": "tone.src"}'
web_pid=$(pid_of foh-web)
ticks() { awk '{print $14 + $15}' "/proc/$web_pid/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$web_pid/status"; }
hz=$(getconf CLK_TCK)
pct() { $PY -c "import sys; print(round(100 * $1 / $hz / ($2 / 1e9), 1))"; }
t0=$(ticks); s0=$(date +%s%N); sleep 4; t1=$(ticks); s1=$(date +%s%N)
echo "BENCH rooms_fanout listeners=0 cpu_pct=$(pct $((t1 - t0)) $((s1 - s0))) rss_kib=$(rss)"
declare -A CPU RSS
for n in 1 20; do
  out=$FOH_SESSION/bench-$n.out
  $PY "$FOH_TESTS/rooms/gst_listeners.py" "$BASE" bench "$n" 5 >"$out" &
  pid=$!
  wait_for 60 grep -q "all $n listening" "$out" || fail "$n listeners did not all decode"
  t0=$(ticks); s0=$(date +%s%N)
  sleep 4
  t1=$(ticks); s1=$(date +%s%N); r=$(rss)
  wait $pid || fail "the $n listeners failed"
  CPU[$n]=$(pct $((t1 - t0)) $((s1 - s0))); RSS[$n]=$r
  echo "BENCH rooms_fanout listeners=$n cpu_pct=${CPU[$n]} rss_kib=$r"
  wait_for 15 sh -c "curl -s $BASE/api/stats | grep -q '\"listeners\":0'" || fail "listeners stayed"
done
echo "BENCH rooms_fanout_memory kib_per_listener=$(( (RSS[20] - RSS[1]) / 19 ))" \
  "cpu_ratio_20_to_1=$($PY -c "print(round(${CPU[20]} / max(${CPU[1]}, 0.1), 2))")"
