#!/usr/bin/env python3
"""OSC test tools for foh-osc, written from the OSC 1.0 spec (no liblo):

  oscx.py corpus HOST PORT...   sends a corpus of malformed datagrams (and a
      few well-formed edge cases) to every PORT; prints JSON with how many
      were sent, how many are malformed by the spec, and the value the
      far-future bundle carries.
  oscx.py subscribe PORT SECONDS RENEW_AT SET_AT
      two surfaces A and B send /foh/subscribe at t=0 and confirm with the
      token of the /foh/token challenge they get; B renews at RENEW_AT
      (/foh/subscribe ,i TOKEN); C sends /foh/subscribe and never confirms
      (a forged source); D sends a guessed token without asking; at SET_AT
      busctl sets channel 1 Gain to -3; records every message each gets
      until SECONDS; prints JSON with the arrival times (s after t=0), the
      datagram sizes C got and the size of the request.
  oscx.py listen PORT SECONDS
      one surface subscribes (answering the challenge) and records every
      message but /foh/ch/N/levels until SECONDS; prints them as JSON
      [[t, address, types, args], ...]."""
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time


def ostr(s):
    b = s.encode() + b"\0"
    return b + b"\0" * (-len(b) % 4)


def msg(addr, types="", *args):
    out = ostr(addr) + ostr("," + types)
    for t, a in zip(types, args):
        if t == "f":
            out += struct.pack(">f", a)
        elif t == "i":
            out += struct.pack(">i", a)
        elif t == "s":
            out += ostr(a)
    return out


def bundle(timetag, *elements):
    out = b"#bundle\0" + struct.pack(">Q", timetag)
    for e in elements:
        out += struct.pack(">i", len(e)) + e
    return out


def parse(data):
    """address, types, args of a simple message (i f s only)."""
    end = data.index(b"\0")
    addr = data[:end].decode()
    pos = (end + 4) & ~3
    tend = data.index(b"\0", pos)
    types = data[pos + 1:tend].decode()
    pos = (tend + 4) & ~3
    args = []
    for t in types:
        if t in "if":
            args.append(struct.unpack(">" + t, data[pos:pos + 4])[0])
            pos += 4
        elif t == "s":
            e = data.index(b"\0", pos)
            args.append(data[pos:e].decode())
            pos = (e + 4) & ~3
    return addr, types, args


def corpus():
    """(datagram, malformed) pairs; malformed by OSC 1.0, not by our code."""
    rnd = random.Random(7)
    good = msg("/foh/ch/1/gain", "f", -1.0)
    bad = []
    bad += [good[:n] for n in range(1, len(good)) if n != 16]       # truncated (16: no tags)
    bad += [b"", b"/fo", good + b"\0"]                                  # empty, misaligned
    bad += [ostr("/foh/ch/1/gain") + ostr(",x") + b"\0" * 4,         # unknown type
            ostr("/foh/ch/1/gain") + ostr("f") + b"\0" * 4,          # no comma
            ostr("/foh/ch/1/gain") + b",fff",                         # unterminated tags
            ostr("/foh/ch/1/gain") + ostr(",f"),                      # missing argument
            ostr("/foh/ch/1/gain") + ostr(",s") + b"abcd",            # unterminated string
            b"/foh\0\0x\0" + ostr(",f") + b"\0" * 4]                  # bad padding
    bad += [ostr("/foh/blob") + ostr(",b") + struct.pack(">I", n) + b"\0" * 4
            for n in (0x7fffffff, 0xffffffff, 0x10000, 5)]            # huge/short blob
    deep = good
    for _ in range(1000):                                              # 1000-deep bundles
        deep = bundle(1, deep)
    bad.append(deep)
    nine = good
    for _ in range(9):                                                 # one past the limit
        nine = bundle(1, nine)
    bad.append(nine)
    bad += [b"#bundle\0" + b"\0" * 4,                                  # short bundle header
            bundle(1) + struct.pack(">i", 400) + good,                  # element past the end
            bundle(1) + struct.pack(">i", 0)]                           # empty element
    for _ in range(200):                                               # random bytes
        n = rnd.randrange(1, 600)
        bad.append(bytes([rnd.randrange(1, 0x20)]) + rnd.randbytes(n - 1))
    ok = []
    far = bundle(0xFFFFFFFF00000000, msg("/foh/ch/1/gain", "f", -9.0))  # year 2036, far future
    ok.append(far)
    eight = msg("/foh/ch/1/comp/ratio", "f", 5.0)
    for _ in range(8):                                                 # the deepest allowed
        eight = bundle(1, eight)
    ok.append(eight)
    return bad, ok


def cmd_corpus(host, ports):
    bad, ok = corpus()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for port in ports:
        for d in bad + ok:
            s.sendto(d, (host, int(port)))
            sent += 1
            if sent % 50 == 0:
                time.sleep(0.005)   # stay inside the socket buffer
    print(json.dumps({"sent": sent, "malformed": len(bad) * len(ports),
                      "far_future_gain": -9.0, "deep_ratio": 5.0}))


def cmd_subscribe(port, seconds, renew_at, set_at):
    socks = {}
    for name in "abcd":
        socks[name] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        socks[name].bind(("127.0.0.1", 0))
    dest = ("127.0.0.1", port)
    request = msg("/foh/subscribe")
    t0 = time.monotonic()
    for name in "abc":
        socks[name].sendto(request, dest)
    socks["d"].sendto(msg("/foh/subscribe", "i", 12345), dest)
    got = {name: [] for name in socks}
    c_sizes = []
    tokens = {}
    renewed = done_set = False
    while True:
        now = time.monotonic() - t0
        if now >= seconds:
            break
        if not renewed and now >= renew_at and "b" in tokens:
            socks["b"].sendto(msg("/foh/subscribe", "i", tokens["b"]), dest)
            renewed = True
        if not done_set and now >= set_at:
            subprocess.run(["busctl", "--user", "--", "set-property", "org.foh.Foh1",
                            "/org/foh/Foh1/channel/1", "org.foh.Foh1.Channel", "Gain", "d", "-3"],
                           check=True)
            done_set = True
        r, _, _ = select.select(list(socks.values()), [], [], 0.05)
        for sock in r:
            name = next(n for n, s in socks.items() if s is sock)
            data = sock.recv(65536)
            addr, types, args = parse(data)
            got[name].append([round(time.monotonic() - t0, 4), addr, types, args])
            if name == "c":
                c_sizes.append(len(data))
            if addr == "/foh/token" and name in "ab" and name not in tokens:
                tokens[name] = args[0]
                sock.sendto(msg("/foh/subscribe", "i", args[0]), dest)
    got["c_sizes"] = c_sizes
    got["request_size"] = len(request)
    print(json.dumps(got))


def cmd_listen(port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    dest = ("127.0.0.1", port)
    sock.sendto(msg("/foh/subscribe"), dest)
    t0 = time.monotonic()
    got = []
    while time.monotonic() - t0 < seconds:
        r, _, _ = select.select([sock], [], [], 0.05)
        if not r:
            continue
        addr, types, args = parse(sock.recv(65536))
        if addr == "/foh/token":
            sock.sendto(msg("/foh/subscribe", "i", args[0]), dest)
        elif not addr.endswith("/levels"):
            got.append([round(time.monotonic() - t0, 4), addr, types, args])
    print(json.dumps(got))


def main():
    if sys.argv[1] == "corpus":
        cmd_corpus(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "subscribe":
        cmd_subscribe(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "listen":
        cmd_listen(int(sys.argv[2]), float(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
