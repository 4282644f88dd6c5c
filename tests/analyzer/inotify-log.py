#!/usr/bin/env python3
"""inotify-log.py DIR: logs what happens to the files in DIR, one line per
event, "<wall time> <EVENT> <name>", until killed; prints "ready" first, once
the watch is in place. inotify through ctypes, so the tests need neither
inotify-tools nor a Python package. Events: CREATE, MODIFY (data written),
CLOSE_WRITE, MOVED_FROM, MOVED_TO (a rename into DIR: how an atomic write
lands), DELETE."""
import ctypes
import os
import struct
import sys
import time

EVENTS = {
    0x002: "MODIFY",
    0x008: "CLOSE_WRITE",
    0x040: "MOVED_FROM",
    0x080: "MOVED_TO",
    0x100: "CREATE",
    0x200: "DELETE",
}


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(0)
    if fd < 0:
        raise SystemExit("inotify_init1: " + os.strerror(ctypes.get_errno()))
    mask = 0
    for m in EVENTS:
        mask |= m
    if libc.inotify_add_watch(fd, os.fsencode(sys.argv[1]), mask) < 0:
        raise SystemExit("inotify_add_watch: " + os.strerror(ctypes.get_errno()))
    print("ready", flush=True)
    while True:
        buf = os.read(fd, 65536)
        now = time.time()
        off = 0
        while off + 16 <= len(buf):
            _, ev, _, length = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16:off + 16 + length].rstrip(b"\0").decode(errors="replace")
            off += 16 + length
            for m, label in EVENTS.items():
                if ev & m:
                    print("%.6f %s %s" % (now, label, name), flush=True)


if __name__ == "__main__":
    main()
