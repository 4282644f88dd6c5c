#!/usr/bin/env bash
# Every UDP socket fohd and foh-osc open, as `ss -uanp` (iproute2) lists
# them, is one README's "Sockets" table names, bound to the address it
# needs: the X32 client and each analyzer destination to the local address
# of the route to the peer (127.0.0.1 for one on this machine), foh-osc's
# control and movement sockets to its listen address; none on 0.0.0.0.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

# udp_of PID: "local-address:port" of each UDP socket of PID, one a line.
udp_of() {
  ss -uanpH | awk -v pid="pid=$1," 'index($0, pid) { print $4 }' | sort
}

start_fake_desk

printf '[daemon]\nchannels = 1\n[analyzer]\ndestinations = 127.0.0.1:9000, 127.0.0.1:9002\n' \
  >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
fohd=$(pid_of fohd)

# No desk set: the X32 client holds no socket. The analyzer has one per
# destination as soon as it streams.
an_socks() { [ "$(udp_of "$fohd" | wc -l)" -eq 2 ]; }
wait_for 10 an_socks || fail "want fohd's 2 analyzer sockets, have: $(udp_of "$fohd" | tr '\n' ' ')"
for a in $(udp_of "$fohd"); do
  case $a in 127.0.0.1:*) ;; *) fail "an analyzer socket is bound to $a, not 127.0.0.1" ;; esac
done

busctl --user set-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Address s "127.0.0.1:$desk_port" \
  || fail "setting the X32 Address was refused"
three() { [ "$(udp_of "$fohd" | wc -l)" -eq 3 ]; }
wait_for 5 three || fail "want 3 fohd sockets with a desk, have: $(udp_of "$fohd" | tr '\n' ' ')"
udp_of "$fohd" | grep -qv '^127\.0\.0\.1:' && fail "a fohd socket is not on 127.0.0.1: $(udp_of "$fohd")"
connected() { busctl --user get-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Connected | grep -q true; }
wait_for 5 connected || fail "fohd's X32 client did not reach the fake desk from 127.0.0.1"

# A desk on another network: the socket moves to the address of the
# interface that routes there (192.0.2.1 is TEST-NET-1; a /xinfo probe
# every 2 s goes there until the test ends).
src=$(ip -4 route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
if [ -n "$src" ]; then
  busctl --user set-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Address s 192.0.2.1 \
    || fail "setting a remote X32 Address was refused"
  moved() { udp_of "$fohd" | grep -q "^$src:"; }
  wait_for 5 moved || fail "the X32 socket is not on $src (the route's source): $(udp_of "$fohd")"
  busctl --user set-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 Address s "" \
    || fail "clearing the X32 Address was refused"
  wait_for 5 an_socks || fail "the X32 socket outlived clearing Address: $(udp_of "$fohd")"
else
  note "no route to 192.0.2.1 here: the remote-desk case is skipped"
fi

# foh-osc: its two listening sockets on the listen address, nothing else.
start_bridge
want=$(printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$OSC_PORT" "$OSC_MOVEMENT_PORT" | sort)
[ "$(udp_of "$(pid_of foh-osc)")" = "$want" ] \
  || fail "foh-osc's sockets: $(udp_of "$(pid_of foh-osc)" | tr '\n' ' '), want $(echo $want)"

# Nothing of either on the unspecified address.
udp_of "$fohd" | grep -E '^(0\.0\.0\.0|\*|\[::\]):' && fail "a fohd socket on the unspecified address"
udp_of "$(pid_of foh-osc)" | grep -E '^(0\.0\.0\.0|\*|\[::\]):' \
  && fail "a foh-osc socket on the unspecified address"
note "fohd: $(udp_of "$fohd" | tr '\n' ' '); foh-osc: $(echo $want)"
