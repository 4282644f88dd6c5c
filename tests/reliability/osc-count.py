#!/usr/bin/env python3
"""osc-count: a UDP receiver that only counts what arrives.

  osc-count.py PORTFILE OUT

Binds 127.0.0.1:0, writes its port to PORTFILE, and once a second rewrites
OUT with "datagrams N bytes N". Ends on SIGTERM.
"""
import os
import signal
import socket
import sys
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s.settimeout(0.2)
n = size = 0
last = 0.0
while True:
    try:
        size += len(s.recv(65536))
        n += 1
    except socket.timeout:
        pass
    now = time.monotonic()
    if now - last >= 1:
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write("datagrams %d bytes %d\n" % (n, size))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        last = now
