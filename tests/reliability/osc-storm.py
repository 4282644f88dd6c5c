#!/usr/bin/env python3
"""osc-storm: mutated OSC datagrams at foh-osc or at fohd's X32 client.

  osc-storm.py osc HOST PORT[,PORT...] COUNT SEED
      COUNT datagrams to the ports in turn, from one socket.
  osc-storm.py desk COUNT SEED PORTFILE
      plays the desk: binds 127.0.0.1:0, writes its port to PORTFILE, waits
      (10 s at most) for fohd's first datagram (its /xinfo probe) and sends
      COUNT mutated desk replies back to where that came from, so they pass
      the source check and reach the validator and the parsers.

Seeds are well-formed messages foh's parsers handle (foh-osc's address map
and the Crowdstream addresses; the X32's /xinfo, /node, fader, on, name and
/meters/2 replies) plus the fuzz corpus (tests/fuzz/corpus/osc, .../x32).
Each datagram is a seed with 1-4 mutations: a flipped bit, a random byte,
a truncation, random bytes appended or inserted, a path swapped for another
seed's, a length field set to a boundary value. Prints "sent N" and the
count of each mutation. Deterministic for a given SEED (Python's random).
"""
import os
import random
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus")


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def msg(path, types="", *args):
    out = pad(path.encode()) + pad(("," + types).encode())
    for t, a in zip(types, args):
        if t == "i":
            out += struct.pack(">i", a)
        elif t == "f":
            out += struct.pack(">f", a)
        elif t == "h":
            out += struct.pack(">q", a)
        elif t == "d":
            out += struct.pack(">d", a)
        elif t == "s":
            out += pad(a.encode())
        elif t == "b":
            out += struct.pack(">i", len(a)) + a + b"\0" * (-len(a) % 4)
    return out


def bundle(*msgs):
    out = pad(b"#bundle") + struct.pack(">Q", 1)
    for m in msgs:
        out += struct.pack(">i", len(m)) + m
    return out


def osc_seeds():
    s = []
    for n in (1, 2, 16, 0, 65, 4294967295):
        for leaf, t, v in (("gain", "f", -6.0), ("mute", "i", 1), ("comp/ratio", "d", 4.0),
                           ("gate/threshold", "f", -50.0), ("limiter/ceiling", "f", -1.0),
                           ("reverb/mix", "f", 20.0), ("delay/time", "h", 300), ("width", "f", 100.0),
                           ("mute", "T", None)):
            s.append(msg("/foh/ch/%d/%s" % (n, leaf), t, v) if v is not None
                     else msg("/foh/ch/%d/%s" % (n, leaf), t))
    s += [msg("/foh/stabilizer/target", "f", -14.0), msg("/foh/stabilizer/enabled", "i", 0),
          msg("/foh/x32/fader/bus5", "f", -10.0), msg("/foh/analyzer/band/mid", "ff", 300.0, 2000.0),
          msg("/foh/subscribe"), msg("/foh/subscribe", "i", 12345), msg("/foh/subscribe/confirm", "i", 1),
          msg("/foh/unsubscribe"), msg("/set_tempo", "f", 124.0), msg("/crossfade_levels", "ff", 1.0, 0.0),
          msg("/set_volume", "if", 1, 0.5), msg("/play", "i", 100), msg("/stop", "i", 1100),
          msg("/load_buffer", "is", 100, "/nonexistent/track.wav"), msg("/movement", "f", 0.5),
          bundle(msg("/foh/ch/1/gain", "f", -3.0), msg("/foh/ch/2/mute", "i", 0)),
          bundle(bundle(msg("/foh/ch/1/width", "f", 50.0)))]
    return s + corpus("osc")


def desk_seeds():
    s = [msg("/xinfo", "ssss", "127.0.0.1", "fake", "X32", "4.06"),
         msg("/status", "sss", "active", "127.0.0.1", "fake"),
         msg("/node", "s", '/bus/05/mix ON -12.0 OFF +0 OFF -oo\n'),
         msg("/node", "s", '/bus/05/config "Stream L/R" 1 RD 1\n'),
         msg("/bus/05/mix/fader", "f", 0.5), msg("/bus/05/mix/on", "i", 1),
         msg("/bus/05/config/name", "s", "Stream"), msg("/main/st/mix/fader", "f", 0.75),
         msg("/ch/01/mix/fader", "f", 0.1), msg("/mtx/06/mix/on", "i", 0)]
    blob = struct.pack("<i", 49) + b"".join(struct.pack("<f", 0.01 * i) for i in range(49))
    s += [msg("/meters/2", "b", blob), msg("/meters/2", "b", blob[:20])]
    return s + corpus("x32")


def corpus(name):
    out = []
    d = os.path.join(CORPUS, name)
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), "rb") as fh:
            out.append(fh.read())
    return out


MUTATIONS = ("flip", "byte", "truncate", "append", "insert", "splice", "length")


def mutate(rng, seeds, counts):
    b = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 4)):
        m = rng.choice(MUTATIONS)
        counts[m] += 1
        if m == "flip" and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif m == "byte" and b:
            b[rng.randrange(len(b))] = rng.choice((0, 0x2c, 0x2f, 0x7f, 0x80, 0xff, rng.randrange(256)))
        elif m == "truncate" and b:
            del b[rng.randrange(len(b)):]
        elif m == "append":
            b += os.urandom(rng.choice((1, 3, 4, 8, 64)))
        elif m == "insert":
            i = rng.randrange(len(b) + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.choice((1, 4))))
        elif m == "splice":
            other = rng.choice(seeds)
            i, j = rng.randrange(len(b) + 1), rng.randrange(len(other) + 1)
            b = b[:i] + other[j:]
        elif m == "length" and len(b) >= 4:
            i = rng.randrange(0, len(b) - 3) & ~3
            b[i:i + 4] = struct.pack(">i", rng.choice((0, 1, -1, 0x7fffffff, -0x80000000, len(b))))
    return bytes(b[:65507])


def storm(sock, targets, count, seed, seeds):
    rng = random.Random(seed)
    counts = dict.fromkeys(MUTATIONS, 0)
    sent = 0
    for i in range(count):
        d = mutate(rng, seeds, counts)
        try:
            sock.sendto(d, targets[i % len(targets)])
            sent += 1
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            pass
        if i % 500 == 499:
            time.sleep(0.002)   # let the kernel queue drain a little; still a flood
    print("sent", sent)
    print("mutations", " ".join("%s=%d" % kv for kv in counts.items()))


def main():
    mode = sys.argv[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if mode == "osc":
        host, ports, count, seed = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        storm(s, [(host, int(p)) for p in ports.split(",")], count, seed, osc_seeds())
    elif mode == "desk":
        count, seed, portfile = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        s.bind(("127.0.0.1", 0))
        with open(portfile + ".tmp", "w") as f:
            f.write("%d\n" % s.getsockname()[1])
        os.rename(portfile + ".tmp", portfile)
        s.settimeout(10)
        _, peer = s.recvfrom(65536)
        s.setblocking(False)
        storm(s, [peer], count, seed, desk_seeds())
    else:
        sys.exit("usage: see the header")


if __name__ == "__main__":
    main()
