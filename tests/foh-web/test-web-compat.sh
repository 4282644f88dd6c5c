#!/usr/bin/env bash
# The seeds' HTTP personalities over a real fohd, effects checked with
# busctl: Mission Control (GET /status, /vu, /self-check; POST /ptt, POST
# /config — an invalid config is a 400 and changes nothing, a config fohd
# refuses part-way is undone), the X32 stabilizer's REST routes against the
# fake desk (status, meter, output_list, start/stop_monitor, set_* routes,
# set_fader, backup_settings, analyze_routing), and the AG06 routes
# (/health, /api/stats, POST /api/rooms refuses an unknown member).
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

start_fake_desk
cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 2
[x32]
address = 127.0.0.1:$desk_port
[stabilizer]
source = x32
output = bus5
CONF
start_fohd --config "$FOH_SESSION/foh.conf"
cat >"$FOH_SESSION/foh-web.conf" <<CONF
[web]
listen = 127.0.0.1:0
[compat]
mission-control = true
mission-control-listen = 127.0.0.1:0
x32-stabilizer = true
x32-stabilizer-listen = 127.0.0.1:0
CONF
start_web
MC=http://127.0.0.1:$(web_port mission-control)
X=http://127.0.0.1:$(web_port x32-stabilizer)
x32p() { busctl --user get-property org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 "$1" | cut -d' ' -f2-; }

# Mission Control
expect_status 200 GET "$MC/status"
[ "$(json 'j["sample_rate"]')" = "$(prop SampleRate)" ] || fail "/status sample_rate"
[ "$(json 'sorted(j["channels"])')" = "['1', '2']" ] || fail "/status channels: $(cat "$FOH_SESSION/http.body")"
expect_status 200 GET "$MC/vu"
[ "$(json 'j["1"] >= -60 and j["2"] >= -60')" = True ] || fail "/vu below the -60 floor"
expect_status 200 POST "$MC/ptt" '{"channel": 2, "mute": true, "gate_open": false}'
[ "$(chprop 2 Mute)" = true ] && [ "$(chprop 2 GateOpen)" = false ] || fail "/ptt did not reach channel 2"
expect_status 400 POST "$MC/ptt" '{"channel": 2, "mute": "yes"}'
expect_status 400 POST "$MC/ptt" '{"mute": true}'
expect_status 404 POST "$MC/ptt" '{"channel": 7, "mute": true}'
expect_status 200 GET "$MC/self-check"
[ "$(json 'isinstance(j["passed"], bool) and len(j["checks"]) > 0')" = True ] || fail "/self-check"

src=$(busctl --user --json=short call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ListDevices \
  | $PY -c 'import json, sys; print(next(d[0] for d in json.load(sys.stdin)["data"][0] if "Audio/Source" in d[3]))')
snk=$(busctl --user --json=short call org.foh.Foh1 /org/foh/Foh1 org.foh.Foh1.Manager ListDevices \
  | $PY -c 'import json, sys; print(next(d[0] for d in json.load(sys.stdin)["data"][0] if "Audio/Sink" in d[3]))')
good='{"sample_rate": 48000, "channels": 2, "blocksize": 512,
 "logical_channels": {"1": {"input_device_id": '$src', "output_device_id": '$snk'}},
 "dsp": {"comp": {"ratio": 3.0, "threshold_db": -24.0, "attack_ms": 5.0, "release_ms": 150.0},
         "limiter": {"ceiling_db": -2.0, "release_ms": 8.0}}}'
state() { for c in 1 2; do busctl --user --json=short call org.foh.Foh1 /org/foh/Foh1/channel/$c \
  org.freedesktop.DBus.Properties GetAll s $CHANNEL_IFACE | $PY -c 'import json, sys
p = json.load(sys.stdin)["data"][0]
print([p[k]["data"] for k in ("CompRatio", "CompThreshold", "CompAttack", "CompRelease", "LimiterCeiling", "Input", "Output")])'; done; }
before=$(state)
for bad in '{"sample_rate": "fast"}' '{"nonsense": 1}' '{"dsp": {"comp": {"ratio": "x"}}}' \
    '{"logical_channels": {"9": {"input_device_id": 1}}}' \
    '{"logical_channels": {"1": {"input_device_id": 99999}}}' \
    '{"dsp": {"comp": {"ratio": 3.0, "release_ms": -5}}}' '[1]' '{broken'; do
  got=$(http POST "$MC/config" "$bad")
  [ "${got%% *}" = 400 ] || fail "POST /config $bad answered $got"
  [ "$(state)" = "$before" ] || fail "the invalid config $bad changed something"
done
expect_status 200 POST "$MC/config" "$good"
[ "$(chprop 1 CompRatio)" = 3 ] && [ "$(chprop 2 CompRatio)" = 3 ] || fail "/config comp not applied"
[ "$(chprop 2 LimiterCeiling)" = -2 ] || fail "/config limiter not applied"
chprop 1 Input | grep -q . || fail "/config logical_channels not applied"
[ "$(chprop 2 Input)" = '""' ] || fail "/config changed channel 2's input"

# X32 stabilizer
connected() { [ "$(x32p Connected)" = true ]; }
wait_for 5 connected || fail "fohd is not connected to the fake desk"
expect_status 200 GET "$X/status"
[ "$(json 'j["connected"] and j["livestream_bus"] == "bus5"')" = True ] || fail "/status: $(cat "$FOH_SESSION/http.body")"
expect_status 200 GET "$X/meter"
[ "$(json 'sorted(j)')" = "['fader_db', 'level_db']" ] || fail "/meter keys"
expect_status 200 GET "$X/output_list"
[ "$(json '[o["name"] for o in j["outputs"] if o["id"] == "bus5"][0]')" = "Stream L/R" ] || fail "/output_list lacks the desk's names"
expect_status 200 POST "$X/set_target_level" '{"target_level_db": -28.5}'
[ "$(sprop TargetDb)" = -28.5 ] || fail "/set_target_level"
expect_status 200 POST "$X/set_tuning" '{"slew_rate": 1.5, "smoothing": 0.2, "silence_threshold": -55}'
[ "$(sprop SlewDb) $(sprop Smoothing) $(sprop SilenceThresholdDb)" = "1.5 0.2 -55" ] || fail "/set_tuning"
before="$(sprop SlewDb) $(sprop Smoothing)"
expect_status 400 POST "$X/set_tuning" '{"slew_rate": 1.0, "smoothing": "x"}'
expect_status 400 POST "$X/set_tuning" '{"slew_rate": 1.0, "smoothing": -4}'
[ "$(sprop SlewDb) $(sprop Smoothing)" = "$before" ] || fail "a refused /set_tuning changed the tuning"
expect_status 200 POST "$X/set_livestream_bus" '{"bus_id": "mtx1"}'
[ "$(sprop Output)" = '"mtx1"' ] || fail "/set_livestream_bus"
expect_status 400 POST "$X/set_livestream_bus" '{"bus_id": "nope"}'
expect_status 200 POST "$X/start_monitor"
[ "$(sprop Enabled)" = true ] || fail "/start_monitor"
expect_status 200 POST "$X/set_fader" '{"fader_db": -12.0}'
wait_for 5 grep -q 'mtx/01/mix/fader' "$FOH_SESSION/faders.log" || fail "/set_fader did not reach the desk"
expect_status 200 POST "$X/stop_monitor"
[ "$(sprop Enabled)" = false ] || fail "/stop_monitor"
expect_status 200 POST "$X/backup_settings"
[ -s "$(json 'j["file"]')" ] || fail "/backup_settings wrote no file"
expect_status 200 POST "$X/analyze_routing"
[ "$(json 'type(j["suggestions"]).__name__')" = list ] || fail "/analyze_routing"
expect_status 200 POST "$X/set_mixer_ip" "{\"ip\": \"127.0.0.1:$desk_port\"}"
[ "$(x32p Address)" = "\"127.0.0.1:$desk_port\"" ] || fail "/set_mixer_ip"
expect_status 400 POST "$X/set_mixer_ip" '{"ip": "not an address"}'
expect_status 200 GET "$X/"
expect_status 405 GET "$X/start_monitor"

# AG06
expect_status 200 GET "$BASE/health"
expect_status 200 GET "$BASE/api/stats"
[ "$(json '"connections" in j')" = True ] || fail "/api/stats"
# rooms are tests/rooms' (an unknown member is refused by name)
expect_status 400 POST "$BASE/api/rooms" '{"name": "a"}'
json 'j["message"]' | grep -q 'unknown member' || fail "/api/rooms refused without a reason"
note "compat ok"
