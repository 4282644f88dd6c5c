#!/usr/bin/python3
"""junk-dbus: calls every method and sets every writable property a D-Bus
service introspects, with junk of the right types (boundaries, NaN, huge
and hostile strings, empty and long arrays) and with wrong signatures.

  junk-dbus.py NAME [ROUNDS] [SEED]

Walks NAME's object tree from "/" (org.freedesktop.DBus.Introspectable),
skipping the standard interfaces. Every call has a 10 s timeout. A reply or
an error reply is fine (that is what hostile input should get); the service
leaving the bus, no reply, or an error name outside org.freedesktop.DBus.*
and the service's own prefix fails at once, naming the call. Prints
"calls N", "errors N", the error names met with their counts, and the
slowest call. Exit 0 when the service answered every call.
"""
import math
import random
import sys
import time
import xml.etree.ElementTree as ET

import dbus

STD = ("org.freedesktop.DBus.",)
FATAL = ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NoReply",
         "org.freedesktop.DBus.Error.Disconnected", "org.freedesktop.DBus.Error.NameHasNoOwner",
         "org.freedesktop.DBus.Error.Timeout")
# a few methods, mapped to the junk that keeps the run short and the session
# usable: deck files that do not exist rather than /dev/zero, tones of at
# most a second (a long tone is valid input, just slow)
STRINGS = ["", "x", "x" * 4096, "x" * 70000, "../../../etc/passwd", "/", "/nonexistent/a.wav",
           "\u00e9\u2603", "bus999", "channel/999", "channel/1", "main", "0.0.0.0:0",
           "255.255.255.255:9", "[::]:1", "127.0.0.1:9000", "a b", "%s%n", "\t\n", "NaN",
           "-1", "1e309", "A", "low", "rubberband", "default"]


def split_types(sig):
    """Splits a signature into its complete types."""
    out, i = [], 0
    while i < len(sig):
        j = end_of(sig, i)
        out.append(sig[i:j])
        i = j
    return out


def end_of(sig, i):
    c = sig[i]
    if c == "a":
        return end_of(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        i += 1
        while sig[i] != close:
            i = end_of(sig, i)
        return i + 1
    return i + 1


def junk(rng, t, depth=0):
    c = t[0]
    if c == "y":
        return dbus.Byte(rng.choice((0, 1, 127, 255)))
    if c == "b":
        return dbus.Boolean(rng.random() < 0.5)
    if c in "nqiuxt":
        bits = {"n": 16, "q": 16, "i": 32, "u": 32, "x": 64, "t": 64}[c]
        signed = c in "nix"
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        v = rng.choice((0, 1, 2, 4, 16, 17, 64, 65, 1000, hi, lo, hi - 1, lo + 1 if signed else 3))
        return {"n": dbus.Int16, "q": dbus.UInt16, "i": dbus.Int32, "u": dbus.UInt32,
                "x": dbus.Int64, "t": dbus.UInt64}[c](v)
    if c == "d":
        return dbus.Double(rng.choice((math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308,
                                       5e-324, 1.0, -1.0, 0.5, 1e6, -144.0, 48000.0, 20.0)))
    if c == "s":
        return dbus.String(rng.choice(STRINGS))
    if c == "o":
        return dbus.ObjectPath(rng.choice(("/", "/org/foh/Foh1", "/a/b/c")))
    if c == "g":
        return dbus.Signature(rng.choice(("", "s", "a{sv}")))
    if c == "v":
        inner = rng.choice(("s", "d", "i", "b", "as"))
        return junk(rng, inner, depth + 1)
    if c == "a":
        inner = t[1:]
        n = 0 if depth > 1 else rng.choice((0, 1, 3, 200))
        if inner[0] == "{":
            kt, vt = split_types(inner[1:-1])
            return dbus.Dictionary({junk(rng, kt, depth + 1): junk(rng, vt, depth + 1)
                                    for _ in range(n)}, signature=inner[1:-1])
        return dbus.Array([junk(rng, inner, depth + 1) for _ in range(n)], signature=inner)
    if c == "(":
        return dbus.Struct([junk(rng, x, depth + 1) for x in split_types(t[1:-1])], signature=t[1:-1])
    raise ValueError(t)


def walk(bus, name, path, out):
    xml = bus.get_object(name, path, introspect=False).Introspect(
        dbus_interface="org.freedesktop.DBus.Introspectable")
    root = ET.fromstring(xml)
    for iface in root.findall("interface"):
        iname = iface.get("name")
        if iname.startswith(STD):
            continue
        for m in iface.findall("method"):
            sig = "".join(a.get("type") for a in m.findall("arg") if a.get("direction", "in") == "in")
            out.append(("method", path, iname, m.get("name"), sig))
        for p in iface.findall("property"):
            if p.get("access") in ("write", "readwrite"):
                out.append(("property", path, iname, p.get("name"), p.get("type")))
    for node in root.findall("node"):
        walk(bus, name, (path.rstrip("/") + "/" + node.get("name")), out)


def main():
    name = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 21)
    prefix = name.rsplit(".", 1)[0] + "."   # org.foh.Foh1 -> org.foh.
    bus = dbus.SessionBus()
    members = []
    walk(bus, name, "/", members)
    if not members:
        sys.exit("junk-dbus: %s has no methods or writable properties" % name)
    calls = errors = 0
    names = {}
    slowest = (0.0, "")

    def call(path, iface, member, sig, args):
        nonlocal calls, errors, slowest
        what = "%s %s.%s(%s) %r" % (path, iface, member, sig, [str(a)[:40] for a in args])
        t0 = time.monotonic()
        try:
            bus.call_blocking(name, path, iface, member, sig, args, timeout=10)
        except dbus.exceptions.DBusException as e:
            n = e.get_dbus_name() or "?"
            if n in FATAL or not (n.startswith("org.freedesktop.DBus.") or n.startswith(prefix)
                                 or n.startswith("org.freedesktop.systemd1.")):
                print("junk-dbus: %s after %s: %s" % (n, what, e), file=sys.stderr)
                sys.exit(1)
            errors += 1
            names[n] = names.get(n, 0) + 1
        dt = time.monotonic() - t0
        calls += 1
        if dt > slowest[0]:
            slowest = (dt, what)

    for _ in range(rounds):
        for kind, path, iface, member, sig in members:
            if kind == "method":
                types = split_types(sig)
                args = [junk(rng, t) for t in types]
                if member == "PlayTestTone" and len(args) == 4:
                    args[2] = dbus.Double(rng.choice((0.05, math.nan, -1.0, 1e308)))
                call(path, iface, member, sig, args)
                # wrong signatures: nothing, one more string, all strings
                bad = rng.choice(("", sig + "s", "s" * max(1, len(types))))
                if bad != sig:
                    call(path, iface, member, bad, [junk(rng, t) for t in split_types(bad)])
            else:
                call(path, "org.freedesktop.DBus.Properties", "Set", "ssv",
                     [iface, member, junk(rng, sig)])
                wrong = rng.choice([t for t in ("s", "d", "b", "u", "as") if t != sig])
                call(path, "org.freedesktop.DBus.Properties", "Set", "ssv",
                     [iface, member, junk(rng, wrong)])
                call(path, "org.freedesktop.DBus.Properties", "Set", "ssv",
                     [iface, member + "X", junk(rng, sig)])
    print("members", len(members))
    print("calls", calls)
    print("errors", errors)
    for n, k in sorted(names.items()):
        print("error", n, k)
    print("slowest_ms %.1f %s" % (slowest[0] * 1000, slowest[1]))


if __name__ == "__main__":
    main()
