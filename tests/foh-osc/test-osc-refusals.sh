#!/usr/bin/env bash
# Bad input is dropped and counted, never applied, and foh-osc keeps
# serving: an unknown address (refused_unknown_address, also a channel fohd
# does not have), a wrong argument type or count (refused_type), a value
# fohd refuses (refused_range: fohd's own limits), an X32 fader while no
# desk is connected (refused_not_connected), a datagram from a network not
# in the allow-list (refused_source). fohctl osc stats shows the same
# counters, as text and --json. A public --listen without --allow and a
# foh-osc.conf with an unknown key are refused at start with exit status 2.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

# Refused at start.
out=$("$FOH_OSC" --listen 0.0.0.0:0 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q -- '--allow' || fail "a public bind without --allow: status $rc, '$out'"
printf '[osc]\nlisten = 127.0.0.1:0\nbogus = 1\n' >"$FOH_SESSION/bad-osc.conf"
out=$("$FOH_OSC" --config "$FOH_SESSION/bad-osc.conf" 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q 'bogus' || fail "an unknown [osc] key: status $rc, '$out'"
echo "ok: refused at start: public bind without --allow, unknown config key"

# a public bind with an allow-list the test host is not in (loopback always may send)
start_pair 1 --listen 0.0.0.0:0 --allow 10.123.45.0/24
busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel Gain d -2 \
  || fail "setting Gain over D-Bus was refused"

# refused COUNTER N ADDRESS TYPES ARGS...: sends, waits until COUNTER rose by N.
refused() {
  local counter=$1 n=$2 before
  shift 2
  before=$(osc_stat "$counter")
  send "$@"
  wait_for 5 osc_stat_is "$counter" $(( before + n )) \
    || fail "$*: $counter is $(osc_stat "$counter"), expected $(( before + n ))"
  echo "ok: $* → $counter"
}
refused refused_unknown_address 1 /foh/nope f 1
refused refused_unknown_address 1 /foh/ch/1/volume f 1
refused refused_unknown_address 1 /foh/ch/0/gain f 1
refused refused_unknown_address 1 /foh/ch/65/gain f 1
refused refused_unknown_address 1 /foh/ch/9/gain f 1      # fohd has one channel
refused refused_type 1 /foh/ch/1/gain s loud
refused refused_type 1 /foh/ch/1/gain ff 1 2
refused refused_type 1 /foh/ch/1/gain
refused refused_type 1 /foh/ch/1/mute s yes
refused refused_type 1 /foh/analyzer/band/mid f 300
refused refused_range 1 /foh/ch/1/gain f 100             # fohd: -60..24 dB
refused refused_range 1 /foh/ch/1/comp/ratio f 0.5       # fohd: 1..100
refused refused_range 1 /foh/analyzer/band/mid ff 2000 300
refused refused_range 1 /foh/analyzer/band/nope ff 300 2000
refused refused_not_connected 1 /foh/x32/fader/bus5 f -10
refused refused_unknown_address 1 /foh/x32/fader/bus99 f -10
objprop_is channel/1 Channel Gain -2 || fail "a refused value changed Gain to $(objprop channel/1 Channel Gain)"
objprop_is channel/1 Channel CompRatio 2 || fail "a refused value changed CompRatio"

# From a non-loopback address of this host, not in the allow-list.
host_ip=$(python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect(("192.0.2.1", 9)); print(s.getsockname()[0])
except OSError:
    pass')
case "$host_ip" in
  ""|127.*) echo "# no non-loopback IPv4 address here: refused_source not exercised" ;;
  10.123.45.*) echo "# this host is in the test's allow-list network: refused_source not exercised" ;;
  *)
    before=$(osc_stat refused_source)
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"/foh/ch/1/gain\0\0,f\0\0" + bytes([0xc0, 0xa0, 0, 0]), (sys.argv[1], int(sys.argv[2])))' \
      "$host_ip" "$OSC_PORT" || fail "could not send from $host_ip"
    wait_for 5 osc_stat_is refused_source $(( before + 1 )) || fail "a datagram from $host_ip was not refused"
    objprop_is channel/1 Channel Gain -2 || fail "a datagram from outside the allow-list changed Gain"
    echo "ok: a datagram from $host_ip (not in 10.123.45.0/24) → refused_source"
    ;;
esac

alive foh-osc && both_answer || fail "a daemon stopped answering"
"$FOHCTL" osc stats >"$FOH_SESSION/stats.txt" || fail "fohctl osc stats failed"
grep -Eq '^refused_type +5$' "$FOH_SESSION/stats.txt" || fail "fohctl osc stats: $(cat "$FOH_SESSION/stats.txt")"
"$FOHCTL" osc stats --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["refused_range"] == 4 and s["refused_not_connected"] == 1, s' || fail "fohctl osc stats --json"
"$FOHCTL" osc nonsense >/dev/null 2>&1; [ $? = 2 ] || fail "fohctl osc nonsense is not a usage error"
echo "ok: fohctl osc stats (text and --json)"
