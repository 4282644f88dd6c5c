#!/usr/bin/env python3
"""Plays systemd's side of sd_notify: binds a datagram socket and appends every
message it receives, one assignment per line, to a log file."""
import os
import socket
import sys

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
while True:
    data = s.recv(4096)
    with open(log, "a") as f:
        f.write(data.decode(errors="replace").rstrip("\n") + "\n")
        f.flush()
        os.fsync(f.fileno())
