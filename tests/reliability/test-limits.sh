#!/usr/bin/env bash
# Caps that outside input reaches (README "Limits") that no other test
# fills: 256 analyzer presets (the next new name is LimitReached, saving
# over one still works), and foh-osc's 4096 coalescing keys — a surface
# naming 5000 different analyzer bands must not lock every other setting
# out (idle keys are forgotten when the table is full); X32 backups in the
# default directory: only the newest [x32] backups-keep stay (the user's
# own files and links of our naming are never touched), each at most 64 KiB;
# foh-web's 512 TCP connections at once (600 idle ones opened: the rest
# are closed at once and counted, and when they go, requests work again).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"
. "$FOH_TESTS/foh-web/web.sh"
dpy=/usr/bin/python3   # python3-dbus belongs to Debian's interpreter

start_fake_desk
printf '[daemon]\nchannels = 1\n[x32]\naddress = 127.0.0.1:%s\nbackups-keep = 3\n' "$desk_port" \
  >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"

# 1. Presets.
$dpy - <<'PY' || fail "the preset cap does not hold"
import dbus, sys
bus = dbus.SessionBus()
an = dbus.Interface(bus.get_object("org.foh.Foh1", "/org/foh/Foh1/analyzer"), "org.foh.Foh1.Analyzer")
for i in range(256):
    an.SavePreset("p%03d" % i)
try:
    an.SavePreset("one-more")
    sys.exit("a 257th preset was saved")
except dbus.exceptions.DBusException as e:
    assert e.get_dbus_name() == "org.foh.Foh1.Error.LimitReached", e
    print("# 257th:", e.get_dbus_message())
an.SavePreset("p000")                       # over an existing one: fine
assert len(an.ListPresets()) == 256, len(an.ListPresets())
an.DeletePreset("p001")
an.SavePreset("one-more")                   # room again
assert len(an.ListPresets()) == 256
PY

# 2. foh-osc's coalescing keys.
start_bridge
# send_bands FIRST COUNT: COUNT band names from bFIRST on, paced.
send_bands() {
  python3 - "$OSC_PORT" "$1" "$2" <<'PY'
import socket, struct, sys, time
def pad(b): return b + b"\0" * (4 - len(b) % 4)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
first, count = int(sys.argv[2]), int(sys.argv[3])
for i in range(first, first + count):
    m = pad(b"/foh/analyzer/band/b%d" % i) + pad(b",ff") + struct.pack(">ff", 300.0, 2000.0)
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
    if i % 50 == 49:
        time.sleep(0.005)   # below the socket's buffer, on a quiet machine
PY
}
settled() { [ "$(osc_stat completed)" -ge "$(osc_stat dispatched)" ]; }
# More than 4096 different names must reach foh-osc. A loaded machine's
# socket buffer drops some of a burst (CI under the sanitizers: 3774 of
# 5000 arrived), so more names follow, 500 at a time, until enough did.
first=0 count=5000
while :; do
  send_bands "$first" "$count"
  first=$(( first + count )) count=500
  wait_for 30 settled || fail "the band calls did not complete: dispatched $(osc_stat dispatched), completed $(osc_stat completed), refused_busy $(osc_stat refused_busy)"
  [ "$(osc_stat dispatched)" -gt 4096 ] && break
  [ "$first" -lt 20000 ] || fail "only $(osc_stat dispatched) of $first band names reached foh-osc"
done
note "dispatched $(osc_stat dispatched), coalescing_keys $(osc_stat coalescing_keys), refused_busy $(osc_stat refused_busy)"
[ "$(osc_stat coalescing_keys)" -le 4096 ] || fail "coalescing_keys $(osc_stat coalescing_keys) over its cap"
send /foh/ch/1/gain f -5
gain_is() { [ "$(chprop 1 Gain)" = -5 ]; }
wait_for 5 gain_is || fail "after 5000 band names a gain from a surface does not land (refused_busy $(osc_stat refused_busy))"

# 3. X32 backups: keep the newest 3 of Backup("")'s files.
x32() { busctl --user -- "$1" org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 "${@:2}"; }
connected() { [ "$(x32 get-property State)" = 's "connected"' ]; }
wait_for 10 connected || fail "not connected to the fake desk: $(x32 get-property State)"
dir=$XDG_DATA_HOME/foh/backups
mkdir -p "$dir"
echo old >"$dir/x32-19990101T000000Z.json"            # ours, the oldest of all
echo mine >"$dir/mine.json"                            # the user's
echo mine >"$dir/x32-notes.json"                       # the user's: not our naming
echo target >"$FOH_SESSION/target"
ln -s "$FOH_SESSION/target" "$dir/x32-19980101T000000Z.json"   # a link: never ours
: >"$FOH_SESSION/made"
for i in 1 2 3 4 5; do
  read -r _ p < <(x32 call Backup s "") || fail "Backup $i failed"
  echo "${p//\"/}" >>"$FOH_SESSION/made"
  n=$(find "$dir" -maxdepth 1 -type f -name 'x32-*T*Z*.json' | wc -l)
  [ "$n" -le 3 ] || fail "after backup $i: $n backups kept, the cap is 3"
done
for p in $(tail -n 3 "$FOH_SESSION/made"); do
  [ -f "$p" ] || fail "$p, one of the newest 3, was removed (made: $(cat "$FOH_SESSION/made"); kept: $(ls "$dir"))"
  size=$(stat -c %s "$p")
  [ "$size" -le 65536 ] || fail "$p is $size bytes, over 64 KiB"
done
for p in $(head -n 2 "$FOH_SESSION/made") "$dir/x32-19990101T000000Z.json"; do
  [ -e "$p" ] && fail "$p, older than the newest 3, was kept"
done
[ -f "$dir/mine.json" ] && [ -f "$dir/x32-notes.json" ] || fail "the user's own files were removed"
[ -L "$dir/x32-19980101T000000Z.json" ] && [ "$(cat "$FOH_SESSION/target")" = target ] \
  || fail "the symbolic link or its target was touched"
grep -q "X32: removed the 1 oldest backup in $dir (keeping the newest 3" "$FOH_SESSION/fohd.log" \
  || fail "no log line for the removed backups"
# a path of the user's own choosing is not rotated
x32 call Backup s "$FOH_SESSION/explicit.json" >/dev/null || fail "Backup to a path failed"
[ -f "$FOH_SESSION/explicit.json" ] || fail "the explicit backup is missing"
[ "$(find "$dir" -maxdepth 1 -type f -name 'x32-*T*Z*.json' | wc -l)" = 3 ] || fail "an explicit backup changed the rotation"
note "X32 backups: 5 made, the newest 3 kept ($(tail -n 1 "$FOH_SESSION/made" | xargs stat -c %s) bytes each)"

# 4. foh-web's connections.
start_web
$dpy - "$WEB_PORT" <<'PY' || fail "the connection cap does not hold"
import select, socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(600):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    socks.append(s)
    if i % 50 == 49:
        time.sleep(0.05)   # let foh-web accept them in turn
# a connection foh-web closed reads as EOF; an admitted one stays silent
deadline = time.monotonic() + 10
closed = set()
while time.monotonic() < deadline and len(closed) < 88:
    r, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.2)
    for s in r:
        try:
            if s.recv(1) == b"":
                closed.add(s)
        except OSError:
            closed.add(s)
print("# %d of 600 idle connections closed by foh-web" % len(closed))
assert len(closed) == 600 - 512, len(closed)
for s in socks:
    s.close()
PY
[ "$(web_stat refused_connections)" = 88 ] || fail "refused_connections is $(web_stat refused_connections), want 88"
back() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" = 200 ]; }
wait_for 10 back || fail "after the idle connections left, foh-web does not answer"
few() { [ "$(web_stat connections)" -le 2 ]; }
wait_for 10 few || fail "foh-web still counts $(web_stat connections) connections"
note "foh-web: 512 of 600 connections admitted, 88 closed and counted; answers again after"
