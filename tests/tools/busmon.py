"""Reading `busctl --user monitor --json=short` logs in tests (stdlib only).

  signals(LOG, MEMBER, PATH): [(timestamp_realtime_us, payload data), ...] of
  every MEMBER signal from object PATH, in the order logged; lines that are
  not JSON (a monitor cut off mid-line) are skipped.
"""
import json


def signals(log, member, path):
    rows = []
    for line in open(log):
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("member") == member and m.get("path") == path:
            rows.append((m["timestamp-realtime"], m["payload"]["data"]))
    return rows
