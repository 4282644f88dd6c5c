#!/usr/bin/python3
"""cpu-top: what the machine did since the last call, for the soak's minutes.

  cpu-top.py STATE

Prints one line: the load averages, the share of all CPUs busy since the
previous call and the four processes that used the most CPU in that time
(in % of one CPU), e.g. "load=4.1/3.2/2.0 cpu_busy=93% top=cc1:97% fohd:12% ...".
STATE keeps the previous reading of /proc between calls.
"""
import json
import os
import sys

state = sys.argv[1]


def read():
    procs = {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            s = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        f = s[s.rindex(")") + 2:].split()
        procs[p] = (comm, int(f[11]) + int(f[12]))
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return {"procs": procs, "busy": sum(v) - v[3] - v[4], "all": sum(v)}


now = read()
try:
    before = json.load(open(state))
except (OSError, ValueError):
    before = None
json.dump(now, open(state, "w"))
load = "/".join(open("/proc/loadavg").read().split()[:3])
if before is None:
    print(f"load={load}")
    sys.exit(0)
ncpu = os.cpu_count() or 1
ticks = max(1, now["all"] - before["all"])  # over all CPUs
busy = 100 * (now["busy"] - before["busy"]) / ticks
used = []
for p, (comm, t) in now["procs"].items():
    old = before["procs"].get(p)
    d = t - (old[1] if old and old[0] == comm else 0)
    if d > 0:
        used.append((d, comm))
used.sort(reverse=True)
top = " ".join(f"{c}:{100 * d * ncpu / ticks:.0f}%" for d, c in used[:4])
print(f"load={load} cpu_busy={busy:.0f}% top={top}")
