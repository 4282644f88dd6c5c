#!/usr/bin/env bash
# /api/v1 against a real fohd: GET maps GetAll, PATCH sets properties all or
# nothing (busctl sees the change; a bad value among good ones changes
# none), POST …/Method calls with JSON arguments, D-Bus errors become HTTP
# statuses with {error, message}, and openapi.json lists what the contract
# (dbus/org.foh.Foh1.xml) lists, with the ranges fohd enforces.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 2
CONF
start_fohd --config "$FOH_SESSION/foh.conf"

# foh-web.conf is validated: an unknown section or key or a bad value stops
# foh-web with exit status 2, naming the key
bad_conf() {
  printf '%b' "$1" >"$FOH_SESSION/bad.conf"
  "$FOH_WEB" --config "$FOH_SESSION/bad.conf" 2>"$FOH_SESSION/bad.err"
  local rc=$?
  [ "$rc" = 2 ] || fail "foh-web accepted $1 (exit $rc)"
  grep -q "$2" "$FOH_SESSION/bad.err" || fail "foh-web's refusal of $1 does not name $2: $(cat "$FOH_SESSION/bad.err")"
}
bad_conf '[web]\nnope = 1\n' '\[web\] nope: unknown key'
bad_conf '[other]\n' 'unknown section'
bad_conf '[web]\nmax-body = lots\n' 'max-body'
bad_conf '[web]\nlisten = example.com:80\n' 'listen'
bad_conf '[web]\nallow = 10.0.0.1/8\n' 'allow'
bad_conf '[compat]\nfeature-server = maybe\n' 'feature-server'
bad_conf '[compat]\nmission-control-listen = 1.2.3\n' 'mission-control-listen'

start_web

# the object list and GET
expect_status 200 GET "$BASE/api/v1/"
[ "$(json '"/api/v1/channel/2" in [o["url"] for o in j["objects"]]')" = True ] || fail "channel/2 not listed"
expect_status 200 GET "$BASE/api/v1/manager"
[ "$(json 'j["Version"]')" = "$FOH_VERSION" ] || fail "Version over HTTP is not fohd's"
expect_status 200 GET "$BASE/api/v1/channel/1"
[ "$(json 'j["Mute"]')" = False ] || fail "channel 1 Mute is not false"

# PATCH: two properties at once, seen by busctl
expect_status 200 PATCH "$BASE/api/v1/channel/1" '{"Gain": -6.5, "Mute": true}'
[ "$(chprop 1 Gain)" = "-6.5" ] || fail "Gain not set over PATCH: $(chprop 1 Gain)"
[ "$(chprop 1 Mute)" = "true" ] || fail "Mute not set over PATCH"
[ "$(json 'j["Gain"]')" = "-6.5" ] || fail "PATCH does not answer the new state"

# all or nothing: a wrong type is refused before anything is set
expect_status 400 PATCH "$BASE/api/v1/channel/1" '{"Gain": -3, "Mute": "yes"}'
[ "$(json 'j["error"]')" = org.foh.Foh1.Error.InvalidArgument ] || fail "no InvalidArgument name"
[ "$(chprop 1 Gain)" = "-6.5" ] || fail "a refused PATCH changed Gain"
# ... and a value fohd refuses (out of range) after one it accepted is undone
expect_status 400 PATCH "$BASE/api/v1/channel/1" '{"Gain": -3, "CompRatio": -5}'
[ "$(chprop 1 Gain)" = "-6.5" ] || fail "fohd refused CompRatio but Gain stayed changed: $(chprop 1 Gain)"
# unknown and read-only properties
expect_status 404 PATCH "$BASE/api/v1/channel/1" '{"NoSuch": 1}'
expect_status 405 PATCH "$BASE/api/v1/channel/1" '{"PeakDb": 1}'
expect_status 400 PATCH "$BASE/api/v1/channel/1" '[1, 2]'
expect_status 400 PATCH "$BASE/api/v1/channel/1" '{not json'

# objects that do not exist
expect_status 404 GET "$BASE/api/v1/channel/9"
expect_status 404 GET "$BASE/api/v1/channel/01"
expect_status 404 GET "$BASE/api/v1/nothing"

# methods: arguments by name or by position, replies by out-argument name
expect_status 200 POST "$BASE/api/v1/analyzer/SetBand" '{"band": "mid", "lo_hz": 300, "hi_hz": 3000}'
busctl --user get-property org.foh.Foh1 /org/foh/Foh1/analyzer org.foh.Foh1.Analyzer Bands \
  | grep -q '"mid" 300 3000' || fail "SetBand over HTTP did not change the band"
expect_status 200 POST "$BASE/api/v1/analyzer/SetBand" '["mid", 250, 4000]'
expect_status 400 POST "$BASE/api/v1/analyzer/SetBand" '{"band": "nope", "lo_hz": 300, "hi_hz": 3000}'
[ "$(json 'j["error"]')" = org.foh.Foh1.Error.InvalidArgument ] || fail "fohd's error name is not passed on"
expect_status 400 POST "$BASE/api/v1/analyzer/SetBand" '{"band": "mid"}'
expect_status 400 POST "$BASE/api/v1/analyzer/SetBand" '{"band": "mid", "lo_hz": "x", "hi_hz": 3}'
expect_status 200 POST "$BASE/api/v1/manager/SelfCheck"
[ "$(json '"passed" in j and "report" in j')" = True ] || fail "SelfCheck's out-arguments are not named"
expect_status 200 POST "$BASE/api/v1/manager/ListDevices"
expect_status 404 POST "$BASE/api/v1/manager/NoSuchMethod"
expect_status 405 GET "$BASE/api/v1/manager/SelfCheck"
expect_status 404 POST "$BASE/api/v1/analyzer/LoadPreset" '{"name": "absent"}'
[ "$(json 'j["error"]')" = org.foh.Foh1.Error.NotFound ] || fail "NotFound is not 404"
# X32 not connected → 409
expect_status 409 POST "$BASE/api/v1/x32/GetFader" '{"id": "bus1"}'
[ "$(json 'j["error"]')" = org.foh.Foh1.Error.NotConnected ] || fail "NotConnected is not 409"

# openapi.json: every interface member of the contract, nothing else
expect_status 200 GET "$BASE/api/v1/openapi.json"
$PY - "$FOH_SESSION/http.body" "$FOH_SRCDIR/dbus/org.foh.Foh1.xml" <<'PY' || fail "openapi.json and the contract differ"
import json, sys, xml.etree.ElementTree as ET
doc = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
urls = {"Manager": "/api/v1/manager", "Channel": "/api/v1/channel/{n}", "Analyzer": "/api/v1/analyzer",
        "X32": "/api/v1/x32", "Stabilizer": "/api/v1/stabilizer", "Deck": "/api/v1/deck/{letter}",
        "Mixer": "/api/v1/mixer", "Content": "/api/v1/content", "Profiles": "/api/v1/profiles"}
want = set()
for iface in root.findall("interface"):
    url = urls[iface.get("name").split(".")[-1]]
    want.add(url)
    for m in iface.findall("method"):
        want.add(url + "/" + m.get("name"))
    props = {p.get("name") for p in iface.findall("property")}
    got = set(doc["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"])
    assert props == got, (url, props ^ got)
assert want == set(doc["paths"]), want ^ set(doc["paths"])
PY

# openapi.json's ranges are the ones fohd enforces: for properties of each
# kind with a table, busctl sets the edge (accepted, read back) and just
# outside it (refused as out of range, the value unchanged); choices
# likewise; read-only properties are marked so
$PY - "$FOH_SESSION/http.body" <<'PY' || fail "openapi.json's ranges are not what fohd enforces"
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
S = doc["components"]["schemas"]
paths = {"Channel": "/org/foh/Foh1/channel/1", "Analyzer": "/org/foh/Foh1/analyzer",
         "Deck": "/org/foh/Foh1/deck/a", "Mixer": "/org/foh/Foh1/mixer",
         "Stabilizer": "/org/foh/Foh1/stabilizer"}
def bus(*a, opts=()):
    return subprocess.run(["busctl", "--user", *opts, "--", *a], capture_output=True, text=True)
def setp(kind, prop, sig, v):
    return bus("set-property", "org.foh.Foh1", paths[kind], "org.foh.Foh1." + kind, prop, sig, str(v))
def getp(kind, prop):
    r = bus("get-property", "org.foh.Foh1", paths[kind], "org.foh.Foh1." + kind, prop, opts=("--json=short",))
    return json.loads(r.stdout)["data"]
checked = 0
for kind, props in [("Channel", ["Gain", "CompRatio", "GateRelease", "ChorusVoices", "EqHighpass"]),
                    ("Deck", ["TempoRatio", "Gain"]), ("Mixer", ["Crossfader", "GlideSec"]),
                    ("Stabilizer", ["TargetDb"]),
                    ("Analyzer", ["FilterOrder", "MidAttack", "Strength", "FftMinHz", "PeakSmear"])]:
    sch = S[kind]["properties"]
    for prop in props:
        s = sch[prop]
        lo, hi, sig = s["minimum"], s["maximum"], s["x-dbus-signature"]
        assert lo < hi, (kind, prop, s)
        eps = 1 if sig == "u" else max(1e-6, (hi - lo) * 1e-4)
        old = getp(kind, prop)
        for edge, out in ((hi, hi + eps), (lo, lo - eps)):
            if sig == "u" and out < 0:
                continue
            was = getp(kind, prop)
            r = setp(kind, prop, sig, out)
            assert r.returncode != 0 and "out of range" in r.stderr, \
                (kind, prop, out, r.returncode, r.stderr)
            assert getp(kind, prop) == was, (kind, prop, "changed by a refused set")
            r = setp(kind, prop, sig, edge)
            assert r.returncode == 0, (kind, prop, edge, r.stderr)
            assert abs(getp(kind, prop) - edge) < 1e-9, (kind, prop, edge, getp(kind, prop))
            checked += 1
        assert setp(kind, prop, sig, old).returncode == 0
sync = S["Channel"]["properties"]["DelaySync"]
assert "1/4" in sync["enum"] and setp("Channel", "DelaySync", "s", "1/4").returncode == 0
assert "1/5" not in sync["enum"] and setp("Channel", "DelaySync", "s", "1/5").returncode != 0
assert S["Channel"]["properties"]["PeakDb"].get("readOnly") is True
assert "readOnly" not in S["Channel"]["properties"]["Gain"]
assert S["Manager"]["properties"]["Version"].get("readOnly") is True
print("ranges checked at", checked, "edges")
PY

note "api ok"
