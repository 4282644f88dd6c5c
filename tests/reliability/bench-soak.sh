#!/usr/bin/env bash
# The show soak: a show-length scenario compressed to FOH_SOAK_MINUTES
# (default 30; 2 makes a smoke run), printing once a minute the RSS and
# open fds of every process of the session, fohd's Xruns, the decks'
# Underruns, and the D-Bus calls slower than 100 ms (dbus-prober.py: a Get
# on fohd every 100 ms, foh-osc's Stats every 500 ms). The scenario:
#  - 16 channels with the default strip, a 1 kHz tone into each;
#  - decks a and b looping two tracks on the crossfader, a FadeTo to the
#    other side every 30 s, new tempo ratios (0.9..1.1) every 10 s, and
#    the stretch methods swapped (rate <-> rubberband) every minute;
#  - the analyzer on channel 1 with the FFT on, streaming OSC to a counter;
#  - the stabilizer riding channel 16's gain (local mode);
#  - a control surface flooding foh-osc with 500 gain messages a second
#    over channels 1..8;
#  - a reload (SIGHUP) every minute.
# At the end: BENCH lines per process with the RSS and fds after warm-up
# (the first quarter, at least a minute) and at the end and the RSS slope
# over that time and over the second half by least squares (a leak of
# 1 MB/h shows as ~1000 kB/h; a heap still settling shows in the first),
# then xruns, underruns, slow calls. Each minute's line starts with the load
# average, the share of the CPUs busy and the four busiest processes of the
# machine in that minute (cpu-top.py), and every slow call is listed with
# what the callee was doing meanwhile (dbus-prober.py), so a slow call can be
# told to be fohd's own (a blocking call on its main loop) or the machine's.
# It fails only when fohd or foh-osc die or stop answering; the figures are
# for a person to read (a shared VM makes xruns and slow calls that are not
# fohd's).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_TESTS/foh-osc/osc.sh"
here=$FOH_TESTS/reliability
minutes=${FOH_SOAK_MINUTES:-30}
seconds=$(( minutes * 60 ))
warm=$(( minutes / 4 )); [ "$warm" -ge 1 ] || warm=1

spawn osccount python3 "$here/osc-count.py" "$FOH_SESSION/osc.port" "$FOH_SESSION/osc.count"
wait_for 5 test -s "$FOH_SESSION/osc.port" || fail "the OSC counter did not start"
python3 "$FOH_DECK/deckaudio.py" tone "$FOH_SESSION/a.wav" 220 20
python3 "$FOH_DECK/deckaudio.py" tone "$FOH_SESSION/b.wav" 330 20
{
  printf '[daemon]\nchannels = 16\n'
  printf '[analyzer]\nsource = channel/1\nfft = true\nsend-fft = true\ndestinations = 127.0.0.1:%s\n' \
    "$(cat "$FOH_SESSION/osc.port")"
  printf '[stabilizer]\nsource = channel/16\noutput = channel/16\ntarget-db = -24\nfast-tau-s = 1\n'
  printf '[decks]\noutput = foh-test-sink\n'
} >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
start_bridge
wait_for 20 foh_nodes_running 16 || fail "not all 16 channels run"
start_tones tone -20 $(seq 1 16)

deck() { busctl --user -- "$1" org.foh.Foh1 "/org/foh/Foh1/deck/$2" org.foh.Foh1.Deck "${@:3}"; }
mixer() { busctl --user -- "$1" org.foh.Foh1 /org/foh/Foh1/mixer org.foh.Foh1.Mixer "${@:2}"; }
for d in a b; do
  deck call "$d" Load s "$FOH_SESSION/$d.wav" || fail "deck $d: Load failed"
  deck set-property "$d" Loop b true || fail "deck $d: Loop refused"
done
deck set-property a StretchMethod s rate
deck set-property b StretchMethod s rubberband
mixer set-property CrossfaderEnabled b true || fail "CrossfaderEnabled refused"
deck call a Play && deck call b Play || fail "the decks do not play"
busctl --user set-property org.foh.Foh1 /org/foh/Foh1/stabilizer org.foh.Foh1.Stabilizer Enabled b true \
  || fail "the stabilizer cannot be enabled"

spawn flood "$OSC_FLOOD" "$OSC_PORT" "$seconds" 500 8
spawn prober /usr/bin/python3 "$here/dbus-prober.py" "$FOH_SESSION/prober"
wait_for 5 test -s "$FOH_SESSION/prober" || fail "the D-Bus prober did not start"

procs=(fohd foh-osc pipewire wireplumber dbus tone)
samples=$FOH_SESSION/samples
: >"$samples"
underruns() { for d in a b c d; do deck get-property "$d" Underruns 2>/dev/null | cut -d' ' -f2; done \
  | awk '{ s += $1 } END { print s + 0 }'; }
sample() { # MINUTE
  local p pid rss fds line="" 
  for p in "${procs[@]}"; do
    pid=$(pid_of "$p") || continue
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    echo "$1 $p $rss $fds" >>"$samples"
    line+="$p rss=${rss}kB fds=$fds; "
  done
  note "minute $1 ($(date -u +%T)): $(python3 "$here/cpu-top.py" "$FOH_SESSION/cputop") $line xruns=$(prop Xruns) underruns=$(underruns) $(cat "$FOH_SESSION/prober") osc_out_$(cat "$FOH_SESSION/osc.count" | tr ' ' '=' | sed 's/=\([0-9]*\)=/=\1 /')"
}

start_xruns=$(prop Xruns)
start=$(date +%s)
sample 0
side=b method=0
for t in $(seq 1 "$seconds"); do
  left=$(( start + t - $(date +%s) ))
  [ "$left" -gt 0 ] && sleep "$left"
  alive fohd || fail "fohd died after $t s"
  alive foh-osc || fail "foh-osc died after $t s"
  if (( t % 10 == 0 )); then
    for d in a b; do
      deck set-property "$d" TempoRatio d "$(python3 -c 'import random; print(round(random.uniform(0.9, 1.1), 3))')" \
        || note "TempoRatio refused at $t s"
    done
  fi
  if (( t % 30 == 0 )); then
    mixer call FadeTo sdd "$side" 0 5 || note "FadeTo $side refused at $t s"
    [ "$side" = b ] && side=a || side=b
  fi
  if (( t % 60 == 30 )); then
    method=$(( 1 - method ))
    m=(rate rubberband)
    deck set-property a StretchMethod s "${m[$method]}"
    deck set-property b StretchMethod s "${m[$(( 1 - method ))]}"
    kill -HUP "$(pid_of fohd)"
  fi
  (( t % 60 == 0 )) && sample $(( t / 60 ))
done

prop_is PipeWireConnected true || fail "fohd is not connected to PipeWire at the end"
deck get-property a Playing | grep -q true || fail "deck a stopped"
end_xruns=$(prop Xruns)
stop prober
python3 - "$samples" "$warm" "$minutes" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
warm, minutes = int(sys.argv[2]), int(sys.argv[3])
for p in dict.fromkeys(r[1] for r in rows):
    s = [(int(m), int(rss), int(fds)) for m, q, rss, fds in rows if q == p and int(m) >= warm]
    if len(s) < 2:
        continue
    def slope(pts):
        xs = [m for m, _, _ in pts]; ys = [r for _, r, _ in pts]
        if len(pts) < 2:
            return 0.0
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    half = [t for t in s if t[0] >= minutes // 2]
    # a fit over a step (the allocator reaching a new high-water mark once)
    # reads as a slope; what a leak does is keep growing, so also: the
    # growth over the last third, and the minutes since RSS last moved
    third = [t for t in s if t[0] >= minutes - minutes // 3]
    moved = max((m for (m, r, _), (_, r0, _) in zip(s[1:], s) if r != r0), default=s[0][0])
    print(f"BENCH soak_{p} minutes={minutes} warm={warm} rss_warm_kb={s[0][1]} rss_end_kb={s[-1][1]} "
          f"rss_max_kb={max(r for _, r, _ in s)} rss_slope_kb_per_h={slope(s):.0f} "
          f"rss_slope_2nd_half_kb_per_h={slope(half):.0f} "
          f"rss_last_third_kb={third[-1][1] - third[0][1] if third else 0} rss_flat_min={minutes - moved} fds_warm={s[0][2]} fds_end={s[-1][2]} "
          f"fds_max={max(f for _, _, f in s)}")
PY
read -r _ calls _ slow _ maxms <"$FOH_SESSION/prober"
# every slow call with what the callee's and the bus daemon's main threads
# were doing while it was in flight (dbus-prober.py): R = running or waiting
# for a CPU, D:fsync = in fohd's own disk wait, S:epoll_wait = idle
if [ -s "$FOH_SESSION/prober.slow" ]; then
  note "slow D-Bus calls (time method duration load cpu seen-states x 5 ms samples):"
  sed 's/^/#   /' "$FOH_SESSION/prober.slow"
fi
grep -h '^sent\|^rate' "$FOH_SESSION/flood.log" 2>/dev/null | tr '\n' ' ' | sed 's/^/# flood: /'; echo
echo "BENCH soak minutes=$minutes xruns=$(( end_xruns - start_xruns )) deck_underruns=$(underruns) dbus_calls=$calls dbus_slow_100ms=$slow dbus_max_ms=$maxms osc_datagrams_out=$(awk '{print $2}' "$FOH_SESSION/osc.count") osc_refused_busy=$(osc_stat refused_busy) osc_received=$(osc_stat received) save_failures=$(osc_stat save_failures)"
