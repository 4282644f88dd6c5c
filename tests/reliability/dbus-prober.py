#!/usr/bin/python3
"""dbus-prober: times D-Bus calls to fohd and foh-osc for as long as it runs.

  dbus-prober.py OUT

Every 100 ms one Properties.Get of fohd's Manager Xruns, every 500 ms one
foh-osc Stats(), each timed from just before the call to its reply. Once a
second OUT is rewritten with "calls N slow N max_ms X" (slow: over 100 ms;
a call that fails counts as slow). Ends on SIGTERM.
"""
import os
import signal
import sys
import time

import dbus

out = sys.argv[1]
bus = dbus.SessionBus()
calls = slow = 0
worst = 0.0
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
last_write = 0.0
i = 0
while True:
    targets = [("org.foh.Foh1", "/org/foh/Foh1", "org.freedesktop.DBus.Properties", "Get", "ss",
                ["org.foh.Foh1.Manager", "Xruns"])]
    if i % 5 == 0:
        targets.append(("org.foh.Osc1", "/org/foh/Osc1", "org.foh.Osc1", "Stats", "", []))
    for t in targets:
        t0 = time.monotonic()
        try:
            bus.call_blocking(*t, timeout=10)
            dt = (time.monotonic() - t0) * 1000
        except dbus.exceptions.DBusException:
            dt = float("inf")
        calls += 1
        slow += dt > 100
        worst = max(worst, dt if dt != float("inf") else 10000.0)
    now = time.monotonic()
    if now - last_write >= 1:
        with open(out + ".tmp", "w") as f:
            f.write("calls %d slow %d max_ms %.1f\n" % (calls, slow, worst))
        os.rename(out + ".tmp", out)
        last_write = now
    i += 1
    time.sleep(0.1)
