# Shared helpers of the rooms tests; sourced after lib.sh and foh-web/web.sh.
ROOMS_PY="$PY $FOH_TESTS/rooms/rooms.py"

# start_rooms [ROOMS CONF LINES]: fohd with two channels and foh-web serving
# the real web/ with [rooms] set up.
start_rooms() {
  printf '[daemon]\nchannels = 2\n' >"$FOH_SESSION/foh.conf"
  start_fohd --config "$FOH_SESSION/foh.conf"
  printf '[web]\nlisten = 127.0.0.1:0\n[rooms]\n%s\n' "${1-}" >"$FOH_SESSION/foh-web.conf"
  mkdir -p "$FOH_SESSION/www"
  cp -r "$FOH_SRCDIR/web/." "$FOH_SESSION/www/"
  start_web
}

node_exists() {
  pw-cli ls Node 2>/dev/null | grep -q "node.name = \"$1\""
}

# input_is N NODE: channel N's Input is NODE ("" for none).
input_is() {
  [ "$(chprop "$1" Input)" = "\"$2\"" ]
}
