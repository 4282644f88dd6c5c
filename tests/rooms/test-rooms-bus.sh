#!/usr/bin/env bash
# Rooms over D-Bus and fohctl: org.foh.Web1.Rooms CreateRoom / ListRooms /
# CloseRoom (real busctl) and `fohctl room create|list|close` make, count
# and end rooms that /api/rooms sees the same; hostile input is refused by
# name and changes nothing; closing a room gives its channel back.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"
. "$FOH_TESTS/rooms/rooms.sh"

ROOMS=(org.foh.Web1 /org/foh/Web1 org.foh.Web1.Rooms)
start_rooms
wait_for 10 sh -c "busctl --user introspect org.foh.Web1 /org/foh/Web1 org.foh.Web1.Rooms >/dev/null 2>&1" \
  || fail "no org.foh.Web1.Rooms on the bus"

# busctl: create with options, the answer has the id and two 32-hex keys
out=$(busctl --user call "${ROOMS[@]}" CreateRoom 'a{sv}' 3 id s b1 channel i 2 listen_key b true) \
  || fail "CreateRoom refused: $out"
echo "$out" | grep -Eq '^sss "b1" "[0-9a-f]{32}" "[0-9a-f]{32}"$' || fail "CreateRoom answered $out"
input_is 2 "" || fail "a room without publishers changed channel 2's Input"
curl -s "$BASE/api/rooms/b1" | grep -q '"channel":2' || fail "/api/rooms does not see b1 on channel 2"
out=$(busctl --user call "${ROOMS[@]}" ListRooms)
[ "$out" = 'a(ssiuu) 1 "b1" "foh.ch2.playback" 2 0 0' ] || fail "ListRooms answered $out"

# hostile input: refused by name, nothing made
# the error name of a refused call (python3-dbus: busctl prints only the message)
named() {  # NAME METHOD SIG ARGS...
  local want=$1 method=$2; shift 2
  local err
  err=$($PY - "$method" "$@" <<'PY' 2>&1
import sys, dbus
bus = dbus.SessionBus()
o = dbus.Interface(bus.get_object("org.foh.Web1", "/org/foh/Web1"), "org.foh.Web1.Rooms")
m, args = sys.argv[1], sys.argv[2:]
try:
    if m == "CreateRoom":
        opts = {}
        for i in range(0, len(args), 3):
            k, t, v = args[i:i + 3]
            opts[k] = {"s": dbus.String, "i": lambda x: dbus.Int32(int(x)),
                       "u": lambda x: dbus.UInt32(int(x)), "b": lambda x: dbus.Boolean(x == "true")}[t](v)
        o.CreateRoom(dbus.Dictionary(opts, signature="sv"))
    else:
        getattr(o, m)(*args)
    print("accepted")
except dbus.DBusException as e:
    print(e.get_dbus_name(), e.get_dbus_message())
PY
)
  case "$err" in "$want "*) ;; *) fail "$method $* got '$err', not $want" ;; esac
}
named org.foh.Foh1.Error.InvalidArgument CreateRoom id s "../x"
named org.foh.Foh1.Error.InvalidArgument CreateRoom id i 5
named org.foh.Foh1.Error.InvalidArgument CreateRoom colour s red
named org.foh.Foh1.Error.InvalidArgument CreateRoom programme s "a b"
named org.foh.Foh1.Error.InvalidArgument CreateRoom channel i -3
named org.foh.Foh1.Error.InvalidArgument CreateRoom max_peers u 0
named org.foh.Foh1.Error.InvalidArgument CreateRoom max_peers u 100000
named org.foh.Foh1.Error.NotFound CreateRoom channel i 9
named org.foh.Web1.Error.Exists CreateRoom id s b1
named org.foh.Web1.Error.Busy CreateRoom channel i 2
named org.foh.Foh1.Error.NotFound CloseRoom nosuch
named org.foh.Foh1.Error.InvalidArgument CloseRoom "a/b"
[ "$(busctl --user call "${ROOMS[@]}" ListRooms | cut -d' ' -f2)" = 1 ] || fail "a refusal made a room"

# fohctl: create (plain and --json), list, close
"$FOHCTL" room create --id b2 --channel 0 --programme foh.ch1.playback --max-peers 3 \
  >"$FOH_SESSION/create.out" || fail "fohctl room create failed"
grep -Eq '^publish_key  [0-9a-f]{32}$' "$FOH_SESSION/create.out" || fail "fohctl room create: $(cat "$FOH_SESSION/create.out")"
grep -q '^listen_key   -$' "$FOH_SESSION/create.out" || fail "b2 has a listen key"
curl -s "$BASE/api/rooms/b2" | grep -q '"max_peers":3' || fail "b2's max_peers is not 3"
"$FOHCTL" --json room create >"$FOH_SESSION/create.json" || fail "fohctl --json room create failed"
id3=$($PY -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["publish_key"]) == 32 and j["listen_key"] is None; print(j["id"])' "$FOH_SESSION/create.json") \
  || fail "fohctl --json room create: $(cat "$FOH_SESSION/create.json")"
"$FOHCTL" room list | grep -Eq '^b2 +channel 0 +publishers 0 +listeners 0 +programme foh.ch1.playback$' \
  || fail "fohctl room list: $("$FOHCTL" room list)"
[ "$("$FOHCTL" --json room list | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 3 ] \
  || fail "fohctl --json room list does not list 3 rooms"
"$FOHCTL" room create --channel x 2>/dev/null && fail "fohctl took --channel x"
"$FOHCTL" room create --id b2 2>"$FOH_SESSION/err" && fail "fohctl made a second b2"
grep -q "exists" "$FOH_SESSION/err" || fail "fohctl's refusal does not say why: $(cat "$FOH_SESSION/err")"
"$FOHCTL" room close b2 || fail "fohctl room close failed"
"$FOHCTL" room close b2 2>/dev/null && fail "closing b2 twice succeeded"
"$FOHCTL" room close "$id3" || fail "fohctl room close $id3 failed"
busctl --user call "${ROOMS[@]}" CloseRoom s b1 || fail "CloseRoom b1 refused"
[ "$(curl -s "$BASE/api/rooms")" = '{"rooms":[]}' ] || fail "rooms stayed: $(curl -s "$BASE/api/rooms")"
# closing gave channel 2 back: a new room may take it
busctl --user call "${ROOMS[@]}" CreateRoom 'a{sv}' 1 channel i 2 >/dev/null || fail "channel 2 stayed claimed"
echo ok
