#!/usr/bin/env python3
"""Checks that dbus/org.foh.Foh1.xml equals what the running fohd introspects
(or, with BUS ROOT after the file, another service's contract: foh-osc's).

Walks every object under /org/foh/Foh1 with busctl, collects the org.foh.*
interfaces, and compares each with the contract file member by member:
methods and signals with their argument names, types and directions,
properties with type, access and annotations. Comments, whitespace and member
order do not matter; every other difference is reported and fails."""
import subprocess
import sys
import xml.etree.ElementTree as ET

BUS = sys.argv[2] if len(sys.argv) > 2 else "org.foh.Foh1"
ROOT = sys.argv[3] if len(sys.argv) > 3 else "/org/foh/Foh1"


def canon_interface(el):
    members = set()
    for m in el:
        if m.tag in ("method", "signal"):
            args = tuple((a.get("name"), a.get("type"),
                          a.get("direction", "in" if m.tag == "method" else "out"))
                         for a in m if a.tag == "arg")
            notes = tuple(sorted((a.get("name"), a.get("value"))
                                 for a in m if a.tag == "annotation"))
            members.add((m.tag, m.get("name"), args, notes))
        elif m.tag == "property":
            notes = tuple(sorted((a.get("name"), a.get("value"))
                                 for a in m if a.tag == "annotation"))
            members.add(("property", m.get("name"), m.get("type"), m.get("access"), notes))
    return members


def interfaces(root):
    return {i.get("name"): canon_interface(i) for i in root.findall("interface")
            if i.get("name", "").startswith("org.foh.")}


def introspect(path):
    xml = subprocess.run(["busctl", "--user", "--xml-interface", "introspect", BUS, path],
                         check=True, capture_output=True, text=True).stdout
    return ET.fromstring(xml)


def live_interfaces():
    found, todo, seen = {}, [ROOT], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        root = introspect(path)
        for name, members in interfaces(root).items():
            if name in found and found[name] != members:
                sys.exit(f"FAIL: {name} differs between objects (at {path})")
            found[name] = members
        for child in root.findall("node"):
            todo.append(path.rstrip("/") + "/" + child.get("name"))
    return found


def main():
    contract = interfaces(ET.parse(sys.argv[1]).getroot())
    live = live_interfaces()
    errors = []
    for name in sorted(set(contract) | set(live)):
        if name not in live:
            errors.append(f"{name}: in the contract but not served")
            continue
        if name not in contract:
            errors.append(f"{name}: served but missing from the contract")
            continue
        for m in sorted(live[name] - contract[name], key=str):
            errors.append(f"{name}: served but not in the contract: {m}")
        for m in sorted(contract[name] - live[name], key=str):
            errors.append(f"{name}: in the contract but not served: {m}")
    for e in errors:
        print("FAIL:", e)
    if errors:
        sys.exit(1)
    print(f"ok: {len(live)} interface(s) match the contract: {', '.join(sorted(live))}")


if __name__ == "__main__":
    main()
