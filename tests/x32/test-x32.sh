#!/usr/bin/env bash
# The X32 connection against the fake desk (tests/x32/fake-x32.c, which
# speaks the X32's OSC): connect, outputs with their desk names, a fader
# write clamped and quantized and seen by the desk, foreign packets dropped
# and counted, the desk going silent (lost, no writes) and coming back
# (resync picks up what changed meanwhile), backup and routing, bad input.
set -u
. "$FOH_TESTS/lib.sh"

x32() { busctl --user -- "$1" org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32 "${@:2}"; }
x32prop() { x32 get-property "$1" | cut -d' ' -f2-; }
state_is() { [ "$(x32prop State)" = "\"$1\"" ]; }

start_fake_desk

printf '[daemon]\nchannels = 1\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
state_is disconnected || fail "State is $(x32prop State) with no address"
x32 call GetFader s bus1 2>&1 | grep -q 'NotConnected\|not connected\|disconnected' \
  || fail "GetFader without a desk did not say so"

x32 set-property Address s "127.0.0.1:$desk_port" || fail "setting Address was refused"
wait_for 5 state_is connected || fail "not connected to the fake desk: $(x32prop State)"
[ "$(x32prop Model)" = '"X32"' ] || fail "Model is $(x32prop Model)"
grep -q "^address=127.0.0.1:$desk_port" "$FOH_SESSION/foh.conf" 2>/dev/null || \
  wait_for 3 grep -q "^address=127.0.0.1:$desk_port" "$FOH_SESSION/foh.conf" || fail "Address was not saved"

named() { x32 call ListOutputs | grep -q '"bus5" "Stream L/R"'; }
wait_for 3 named || fail "ListOutputs lacks the desk's names: $(x32 call ListOutputs)"
[ "$(x32 call ListOutputs | awk '{print $2}')" = 23 ] || fail "want 23 outputs"

# A write is clamped and quantized: the desk gets i/1023 and we read back its dB.
x32 call SetFader sd bus5 -12.3 || fail "SetFader refused"
read -r _ got < <(x32 call GetFader s bus5)
python3 - "$got" <<'PY' || fail "GetFader after SetFader -12.3 gave $got"
import sys
# the X32 fader law, segment 80f - 50 for -30 <= dB < -10: the nearest step
steps = [i / 1023 for i in range(1024)]
def db(f):
    if f >= 0.5: return 40 * f - 30
    if f >= 0.25: return 80 * f - 50
    if f >= 0.0625: return 160 * f - 70
    return 480 * f - 90 if f > 0 else float("-inf")
want = min((abs(db(f) + 12.3), db(f)) for f in steps[1:])[1]
got = float(sys.argv[1])
assert abs(got - want) < 1e-3, (got, want)
PY
wait_for 3 grep -q '/bus/05/mix/fader' "$FOH_SESSION/faders.log" || fail "the desk did not get the write"
x32 call SetFader sd bus5 40 2>/dev/null && fail "SetFader +40 dB was accepted"
x32 call SetFader sd bus17 0 2>/dev/null && fail "SetFader on bus17 was accepted"
x32 call SetFader sd ch1 0 2>/dev/null && fail "SetFader on a channel was accepted"
x32 set-property Address s "desk.local" 2>/dev/null && fail "a host name was accepted as Address"
[ "$(x32prop Address)" = "\"127.0.0.1:$desk_port\"" ] || fail "a refused Address changed it"

# Packets from anyone but the desk are dropped and counted.
before=$(x32prop ForeignPackets)
# fohd's X32 socket is the sender of the write the desk logged above
fohd_port=$(sed -n 's|.*/bus/05/mix/fader [^ ]* 127.0.0.1:\([0-9]*\) .*|\1|p' "$FOH_SESSION/faders.log" | head -n1)
[ -n "$fohd_port" ] || fail "cannot find fohd's X32 socket in the desk's log"
oscsend 127.0.0.1 "$fohd_port" /bus/05/mix/fader f 1.0
oscsend 127.0.0.1 "$fohd_port" /xinfo ssss 1.2.3.4 fake X32 9.9
foreign_counted() { [ "$(x32prop ForeignPackets)" -ge $((before + 2)) ]; }
wait_for 3 foreign_counted || fail "foreign packets were not counted"
read -r _ got2 < <(x32 call GetFader s bus5)
[ "$got2" = "$got" ] || fail "a foreign packet moved the fader to $got2"

# Backup and routing.
read -r _ path < <(x32 call Backup s "")
path=${path//\"/}
[ -f "$path" ] || fail "Backup did not write $path"
python3 - "$path" <<'PY' || fail "the backup is not what it should be"
import json, sys
b = json.load(open(sys.argv[1]))
assert len(b["channels"]) == 32 and len(b["buses"]) == 16 and len(b["matrices"]) == 6, b.keys()
bus5 = b["buses"][4]
assert bus5["name"] == "Stream L/R" and bus5["on"] is True, bus5
assert abs(bus5["fader_db"] + 12.3) < 0.2, bus5
assert "fader_db" in b["main"] and "name" in b["main"]
PY
x32 call Backup s "relative.json" 2>/dev/null && fail "a relative backup path was accepted"
[ "$(stat -c %a "$path")" = 600 ] || fail "the backup's mode is $(stat -c %a "$path"), want 600"
# Backups are new files only: never over a file, never through a link or "..".
echo precious >"$FOH_SESSION/precious"
out=$(x32 call Backup s "$FOH_SESSION/precious" 2>&1) && fail "Backup overwrote an existing file"
echo "$out" | grep -q 'exists' || fail "Backup over a file: the error does not say it exists: $out"
[ "$(cat "$FOH_SESSION/precious")" = precious ] || fail "Backup changed an existing file"
dbus-send --session --print-reply --dest=org.foh.Foh1 /org/foh/Foh1/x32 org.foh.Foh1.X32.Backup \
  string:"$FOH_SESSION/precious" 2>&1 | grep -q 'org.foh.Foh1.Error.Exists' \
  || fail "Backup over a file is not org.foh.Foh1.Error.Exists"
ln -s "$FOH_SESSION/precious" "$FOH_SESSION/link.json"
x32 call Backup s "$FOH_SESSION/link.json" 2>/dev/null && fail "Backup followed a symbolic link"
[ "$(cat "$FOH_SESSION/precious")" = precious ] || fail "Backup wrote through a symbolic link"
mkdir -p "$FOH_SESSION/sub"
out=$(x32 call Backup s "$FOH_SESSION/sub/../dotdot.json" 2>&1) && fail "Backup took a path with '..'"
echo "$out" | grep -q '\.\.' || fail "Backup with '..': the error does not say so: $out"
[ -e "$FOH_SESSION/dotdot.json" ] && fail "Backup wrote through '..'"
first=$(x32 call AnalyzeRouting | awk '{print $3}')
[ "$first" = '"bus5"' ] || fail "routing does not put the stream bus first: $(x32 call AnalyzeRouting)"

# The desk goes silent: lost, and no writes; it comes back: resync.
desk silent
wait_for 8 state_is lost || fail "still $(x32prop State) after the desk went silent"
x32 call SetFader sd bus5 -20 2>/dev/null && fail "SetFader while lost was accepted"
desk name bus6 "Renamed"
desk resume
wait_for 5 state_is connected || fail "not connected again after the desk came back"
renamed() { x32 call ListOutputs | grep -q '"bus6" "Renamed"'; }
wait_for 3 renamed || fail "the resync did not pick up the new name"

# The same through fohctl's desk verbs.
"$FOHCTL" --json x32 outputs | python3 -c '
import json, sys
outs = json.load(sys.stdin)[0]   # a call prints the list of what it returns
assert ["bus5", "Stream L/R"] in outs and len(outs) == 23, outs' \
  || fail "fohctl --json x32 outputs: $("$FOHCTL" --json x32 outputs)"
"$FOHCTL" x32 fader bus5 -- -12 || fail "fohctl x32 fader bus5 -12"
within "$("$FOHCTL" x32 fader bus5)" -12.1 -11.9 || fail "fohctl x32 fader bus5: $("$FOHCTL" x32 fader bus5)"
out=$("$FOHCTL" x32 backup "$FOH_SESSION/verb-backup.json") || fail "fohctl x32 backup"
[ "$out" = "$FOH_SESSION/verb-backup.json" ] || fail "fohctl x32 backup printed '$out'"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" || fail "the backup is not JSON"
"$FOHCTL" x32 disconnect || fail "fohctl x32 disconnect"
wait_for 3 state_is disconnected || fail "State $(x32prop State) after fohctl x32 disconnect"
"$FOHCTL" x32 connect "127.0.0.1:$desk_port" || fail "fohctl x32 connect"
wait_for 5 state_is connected || fail "State $(x32prop State) after fohctl x32 connect"
"$FOHCTL" --json stabilizer watch --count 2 >"$FOH_SESSION/watch.json" || fail "fohctl stabilizer watch"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2 and all(r["State"] == "idle" and "FaderDb" in r for r in rows), rows' \
  "$FOH_SESSION/watch.json" || fail "fohctl --json stabilizer watch: $(cat "$FOH_SESSION/watch.json")"
# Issue 13: tables for people, a negative dB without "--", "-" for NaN.
"$FOHCTL" x32 outputs | grep -qE '^bus5 +Stream L/R$' || fail "fohctl x32 outputs: $("$FOHCTL" x32 outputs)"
"$FOHCTL" x32 routing | sed -n 2p | grep -qE '^bus5 ' || fail "fohctl x32 routing: $("$FOHCTL" x32 routing)"
"$FOHCTL" x32 fader mtx1 -12 || fail "fohctl x32 fader mtx1 -12 (no --) failed"
within "$("$FOHCTL" x32 fader mtx1)" -12.1 -11.9 || fail "fohctl x32 fader mtx1: $("$FOHCTL" x32 fader mtx1)"
"$FOHCTL" stabilizer watch --count 1 >"$FOH_SESSION/watch.txt" || fail "fohctl stabilizer watch"
grep -q 'level *- ' "$FOH_SESSION/watch.txt" && ! grep -qi 'nan' "$FOH_SESSION/watch.txt" \
  || fail "fohctl stabilizer watch shows NaN as a number: $(cat "$FOH_SESSION/watch.txt")"
out=$("$FOHCTL" call analyzer SetBand mid 10 2000 2>&1) && fail "SetBand mid 10 2000 accepted"
[ "$(echo "$out" | grep -o 'SetBand:' | wc -l)" -eq 1 ] || fail "SetBand error repeats its prefix: $out"
"$FOHCTL" x32 fader 2>/dev/null; [ $? -eq 2 ] || fail "fohctl x32 fader without an id is not a usage error"
echo "ok: X32 connection"
