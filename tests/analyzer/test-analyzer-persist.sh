#!/usr/bin/env bash
# Analyzer settings set over D-Bus land in [analyzer] of the config file
# fohd was started with, atomically and debounced:
#  - one set (Strength) reaches the file; how long it took is reported;
#  - a burst of 20 sets of Strength spread over about 1 s writes the file at
#    most once per 250 ms debounce period of the burst as measured, plus
#    two (the one that may be due when it starts, the last), counted as renames onto foh.conf by
#    an inotify watch on its directory (inotify-log.py); the file itself is
#    never written in place (no MODIFY or CLOSE_WRITE of foh.conf: every
#    write is a temporary file renamed over it), and the value on disk at
#    the end is the last one set;
#  - SetBand and AddDestination are saved too, and all of it is what a
#    restarted fohd reads back.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

dir=$FOH_SESSION/conf
conf=$dir/foh.conf
mkdir -p "$dir"
an_conf "$conf" 9000
start_fohd --config "$conf"

# on_disk KEY VALUE: [analyzer] in the config file has KEY=VALUE (numbers
# compared as numbers: fohd writes doubles with 17 digits, 0.55000000000000004).
on_disk() {
  awk -v key="$1" -v want="$2" '
    /^\[/ { section = $0; next }
    section == "[analyzer]" {
      split($0, kv, "="); k = kv[1]; v = substr($0, length(k) + 2)
      gsub(/[ \t]+$/, "", k); gsub(/^[ \t]+/, "", v)
      num = "^-?[0-9.]+([eE][-+]?[0-9]+)?$"
      if (k == key && (v == want || (v ~ num && want ~ num && v + 0 == want + 0))) found = 1
    }
    END { exit !found }' "$conf"
}

t0=$(now_ns)
anset Strength d 0.55
wait_for 5 on_disk strength 0.55 || fail "Strength 0.55 did not reach $conf"
note "one set: on disk after $(( ($(now_ns) - t0) / 1000000 )) ms"

spawn inotify python3 "$FOH_ANALYZER/inotify-log.py" "$dir"
wait_for 10 grep -q '^ready' "$FOH_SESSION/inotify.log" || fail "the inotify watch did not start"
t0=$(now_ns)
for i in $(seq 1 20); do
  anset Strength d "0.$((400 + i))"
  sleep 0.045	# paces the burst: 20 sets over about 1 s
done
t1=$(now_ns)
wait_for 5 on_disk strength 0.42 || fail "the last value of the burst, 0.42, did not reach $conf"
stop inotify
burst_ms=$(( (t1 - t0) / 1000000 ))
writes=$(grep -c ' MOVED_TO foh.conf$' "$FOH_SESSION/inotify.log") || true
in_place=$(grep -cE ' (MODIFY|CLOSE_WRITE) foh.conf$' "$FOH_SESSION/inotify.log") || true
note "20 sets in $burst_ms ms: $writes renames onto foh.conf, $in_place in-place writes of it"
note "events: $(grep -v '^ready' "$FOH_SESSION/inotify.log" | awk '{ print $2 }' | sort | uniq -c | tr -s ' \n' ' ')"
[ "$writes" -ge 1 ] || fail "no atomic rename onto foh.conf during the burst"
# one write per 250 ms debounce period of the burst as it really took (a
# loaded machine stretches the busctl calls), plus the one that may be due
# when it starts and the last one after it
most=$(( burst_ms / 250 + 2 ))
[ "$writes" -le "$most" ] || fail "20 sets in $burst_ms ms wrote foh.conf $writes times (at most $most)"
[ "$in_place" = 0 ] || fail "foh.conf was written in place $in_place times"
[ "$(anprop Strength)" = 0.42 ] || fail "Strength reads $(anprop Strength), the last set was 0.42"

ancall SetBand sdd low 70 160
ancall AddDestination s 127.0.0.1:9100
anset FftBins u 256
wait_for 5 on_disk fft-bins 256 || fail "FftBins 256 did not reach $conf"
on_disk low-lo 70 && on_disk low-hi 160 || fail "SetBand low 70 160 is not in $conf"
on_disk destinations 127.0.0.1:9000,127.0.0.1:9100 \
  || fail "destinations in $conf: $(grep '^destinations' "$conf")"

# A restarted fohd reads it all back.
stop fohd || fail "fohd did not stop cleanly"
start_fohd --config "$conf"
[ "$(anprop Strength)" = 0.42 ] || fail "after a restart Strength is $(anprop Strength), not 0.42"
[ "$(anprop FftBins)" = 256 ] || fail "after a restart FftBins is $(anprop FftBins), not 256"
[ "$(anprop Bands)" = '3 "low" 70 160 "mid" 304 1760 "high" 2944 13952' ] \
  || fail "after a restart Bands is $(anprop Bands)"
[ "$(anprop Destinations)" = '2 "127.0.0.1:9000" "127.0.0.1:9100"' ] \
  || fail "after a restart Destinations is $(anprop Destinations)"
echo "ok: analyzer settings are saved atomically, debounced ($writes writes for 20 sets in $burst_ms ms), and read back"
