#!/usr/bin/env bash
# Caps that outside input reaches (README "Limits") that no other test
# fills: 256 analyzer presets (the next new name is LimitReached, saving
# over one still works), and foh-osc's 4096 coalescing keys — a surface
# naming 5000 different analyzer bands must not lock every other setting
# out (idle keys are forgotten when the table is full).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"
dpy=/usr/bin/python3   # python3-dbus belongs to Debian's interpreter

printf '[daemon]\nchannels = 1\n' >"$FOH_SESSION/foh.conf"
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
python3 - "$OSC_PORT" <<'PY'
import socket, struct, sys, time
def pad(b): return b + b"\0" * (4 - len(b) % 4)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5000):
    m = pad(b"/foh/analyzer/band/b%d" % i) + pad(b",ff") + struct.pack(">ff", 300.0, 2000.0)
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
    if i % 50 == 49:
        time.sleep(0.005)   # below the socket's buffer: every one arrives
PY
settled() { [ "$(osc_stat completed)" -ge "$(osc_stat dispatched)" ] && [ "$(osc_stat dispatched)" -gt 4096 ]; }
wait_for 30 settled || fail "the band calls did not complete: dispatched $(osc_stat dispatched), completed $(osc_stat completed), refused_busy $(osc_stat refused_busy)"
note "dispatched $(osc_stat dispatched), coalescing_keys $(osc_stat coalescing_keys), refused_busy $(osc_stat refused_busy)"
[ "$(osc_stat coalescing_keys)" -le 4096 ] || fail "coalescing_keys $(osc_stat coalescing_keys) over its cap"
send /foh/ch/1/gain f -5
gain_is() { [ "$(chprop 1 Gain)" = -5 ]; }
wait_for 5 gain_is || fail "after 5000 band names a gain from a surface does not land (refused_busy $(osc_stat refused_busy))"
