#!/usr/bin/python3
"""dbus-prober: times D-Bus calls to fohd and foh-osc for as long as it runs.

  dbus-prober.py OUT

Every 100 ms one Properties.Get of fohd's Manager Xruns, every 500 ms one
foh-osc Stats(), each timed from just before the call to its reply. Once a
second OUT is rewritten with "calls N slow N max_ms X" (slow: over 100 ms;
a call that fails counts as slow).

Every slow call gets a line in OUT.slow saying why it was slow, as far as
the outside can see: while a call is in flight for more than 20 ms a
watcher thread looks every 5 ms at the main thread of the callee and of
the bus daemon (its state R running/runnable, S sleeping, D in the disk,
and the system call it sits in, from /proc/PID/syscall), so a call that
waited on fohd's own fsync shows "fohd:D:fsync", one that waited for a CPU
shows "fohd:R". R is running or waiting for a CPU; the callee's main
thread's scheduler figures (/proc/PID/task/PID/schedstat) over the call
tell which: cpu_ms it ran, wait_ms it sat runnable in the run queue (a
busy machine). The line also holds the wall-clock time, the 1-minute load
average and the share of the CPUs that were busy during the call.
Ends on SIGTERM.
"""
import os
import signal
import sys
import threading
import time

import dbus

# x86_64 numbers of the system calls a main loop may block in
SYSCALLS = {0: "read", 1: "write", 7: "poll", 46: "sendmsg", 47: "recvmsg", 74: "fsync",
            75: "fdatasync", 82: "rename", 83: "mkdir", 87: "unlink", 202: "futex",
            232: "epoll_wait", 257: "openat", 262: "newfstatat", 271: "ppoll",
            281: "epoll_pwait", 316: "renameat2", 441: "epoll_pwait2"}

out = sys.argv[1]
bus = dbus.SessionBus()
dbus_obj = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
calls = slow = 0
worst = 0.0
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))


def pid_of(name):
    try:
        return int(dbus_obj.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus"))
    except dbus.exceptions.DBusException:
        return None


def bus_daemon_pid():
    addr = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    path = addr.split("path=", 1)[1].split(",")[0] if "path=" in addr else None
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if os.path.basename(cmd[0]) in (b"dbus-daemon", b"dbus-broker", b"dbus-broker-launch") \
                and (path is None or any(path.encode() in c for c in cmd)):
            return int(p)
    return None


def look(pid):
    """State letter and system call of a process's main thread."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
        state = stat[stat.rindex(")") + 2]
        sc = open(f"/proc/{pid}/syscall").read().split()[0]
    except (OSError, ValueError, IndexError):
        return "gone"
    if sc == "running":
        return state
    try:
        return f"{state}:{SYSCALLS.get(int(sc), 'sys' + sc)}"
    except ValueError:
        return state


def schedstat(pid):
    """ns on the CPU and ns waiting in the run queue of a process's main thread."""
    try:
        f = open(f"/proc/{pid}/task/{pid}/schedstat").read().split()
        return int(f[0]), int(f[1])
    except (OSError, ValueError, IndexError, TypeError):
        return 0, 0


def cpu_busy():
    f = open("/proc/stat").readline().split()[1:]
    v = [int(x) for x in f]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


class Watch:
    def __init__(self):
        self.lock = threading.Lock()
        self.target = None      # (label, pid) of the call in flight
        self.since = 0.0
        self.seen = {}
        threading.Thread(target=self.run, daemon=True).start()

    def start(self, label, pid):
        with self.lock:
            self.target, self.since, self.seen = (label, pid), time.monotonic(), {}

    def stop(self):
        with self.lock:
            self.target, seen = None, self.seen
        return seen

    def run(self):
        while True:
            time.sleep(0.005)
            with self.lock:
                t = self.target
                if t is None or time.monotonic() - self.since < 0.02:
                    continue
            for label, pid in ((t[0], t[1]), ("dbus", daemon_pid)):
                if pid is None:
                    continue
                k = f"{label}:{look(pid)}"
                with self.lock:
                    if self.target is t:
                        self.seen[k] = self.seen.get(k, 0) + 1


daemon_pid = bus_daemon_pid()
pids = {"fohd": pid_of("org.foh.Foh1"), "foh-osc": pid_of("org.foh.Osc1")}
watch = Watch()
slow_log = open(out + ".slow", "a", buffering=1)
last_write = 0.0
i = 0
while True:
    targets = [("fohd", "Get Manager.Xruns", ("org.foh.Foh1", "/org/foh/Foh1",
                "org.freedesktop.DBus.Properties", "Get", "ss", ["org.foh.Foh1.Manager", "Xruns"]))]
    if i % 5 == 0:
        targets.append(("foh-osc", "Osc1.Stats", ("org.foh.Osc1", "/org/foh/Osc1", "org.foh.Osc1",
                        "Stats", "", [])))
    for who, method, t in targets:
        b0, a0 = cpu_busy()
        s0 = schedstat(pids[who])
        watch.start(who, pids[who])
        t0 = time.monotonic()
        try:
            bus.call_blocking(*t, timeout=10)
            dt = (time.monotonic() - t0) * 1000
        except dbus.exceptions.DBusException:
            dt = float("inf")
            pids[who] = pid_of(t[0])
        seen = watch.stop()
        calls += 1
        if dt > 100:
            slow += 1
            b1, a1 = cpu_busy()
            s1 = schedstat(pids[who])
            busy = 100 * (b1 - b0) / max(1, a1 - a0)
            where = " ".join(f"{k}x{n}" for k, n in sorted(seen.items(), key=lambda kv: -kv[1]))
            slow_log.write(f"{time.strftime('%H:%M:%S')} {method} ms={dt:.0f} "
                           f"load1={open('/proc/loadavg').read().split()[0]} cpu_busy={busy:.0f}% "
                           f"{who}_main cpu_ms={(s1[0] - s0[0]) / 1e6:.0f} "
                           f"wait_ms={(s1[1] - s0[1]) / 1e6:.0f} "
                           f"seen: {where or '-'}\n")
        worst = max(worst, dt if dt != float("inf") else 10000.0)
    now = time.monotonic()
    if now - last_write >= 1:
        with open(out + ".tmp", "w") as f:
            f.write("calls %d slow %d max_ms %.1f\n" % (calls, slow, worst))
        os.rename(out + ".tmp", out)
        last_write = now
    i += 1
    time.sleep(0.1)
