# Shared helpers of the foh-web tests; sourced after lib.sh. foh-web binds
# ports the kernel picks (listen = 127.0.0.1:0) unless a test needs a
# seed's own port, and the tests read them back from org.foh.Web1's Ports.

WEB_BUS=org.foh.Web1
WEB_PATH=/org/foh/Web1
PY=/usr/bin/python3	# Debian's python3, with python3-websockets

web_on_bus() {
  busctl --user status $WEB_BUS >/dev/null 2>&1
}

# At the end of a test foh-web, like fohd, must stop cleanly on SIGTERM.
check_web_exit() {
  local status=$? rc=0
  stop foh-web || rc=$?
  if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$FOH_SESSION/foh-web.log"; then
    echo "FAIL: foh-web exited with status $rc on SIGTERM" >&2
    grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' "$FOH_SESSION/foh-web.log" >&2
    status=1
  fi
  (exit $status)
  check_fohd_exit
}

# web_port NAME: the bound port of listener NAME (main, feature-server, ...).
web_port() {
  busctl --user --json=short get-property $WEB_BUS $WEB_PATH org.foh.Web1 Ports \
    | $PY -c 'import json, sys; print(json.load(sys.stdin)["data"].get(sys.argv[1], ""))' "$1"
}

# start_web [ARGS...]: foh-web with $FOH_SESSION/foh-web.conf (written by the
# test, else a default on a free port); sets WEB_PORT and BASE.
start_web() {
  trap check_web_exit EXIT
  [ -f "$FOH_SESSION/foh-web.conf" ] || printf '[web]\nlisten = 127.0.0.1:0\n' >"$FOH_SESSION/foh-web.conf"
  mkdir -p "$FOH_SESSION/www"
  spawn_web foh-web "$FOH_WEB" --config "$FOH_SESSION/foh-web.conf" --static-dir "$FOH_SESSION/www" \
    --log-level debug "$@"
  wait_for 10 web_on_bus || fail "foh-web did not appear on the bus (see $FOH_SESSION/foh-web.log)"
  WEB_PORT=$(web_port main)
  [ -n "$WEB_PORT" ] || fail "foh-web does not say where it listens"
  BASE=http://127.0.0.1:$WEB_PORT
}

# web_stat NAME: one of foh-web's counters (Stats).
web_stat() {
  busctl --user --json=short call $WEB_BUS $WEB_PATH org.foh.Web1 Stats \
    | $PY -c 'import json, sys; print(json.load(sys.stdin)["data"][0][sys.argv[1]])' "$1"
}

# http METHOD URL [BODY]: prints "STATUS BODY" (curl, no retries).
http() {
  local method=$1 url=$2 body=${3-}
  if [ -n "$body" ]; then
    curl -s -o "$FOH_SESSION/http.body" -w '%{http_code}' -X "$method" \
      -H 'Content-Type: application/json' --data-binary "$body" "$url"
  else
    curl -s -o "$FOH_SESSION/http.body" -w '%{http_code}' -X "$method" "$url"
  fi
  echo " $(cat "$FOH_SESSION/http.body")"
}

# expect_status STATUS METHOD URL [BODY]
expect_status() {
  local want=$1; shift
  local got
  got=$(http "$@")
  [ "${got%% *}" = "$want" ] || fail "$1 $2: expected HTTP $want, got $got"
}

# json EXPR: evaluates a Python expression on the last body (as j).
json() {
  $PY -c 'import json, sys; j = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$FOH_SESSION/http.body"
}

# web_stat_above NAME N / web_stat_is NAME N: for wait_for.
web_stat_above() {
  [ "$(web_stat "$1")" -gt "$2" ]
}
web_stat_is() {
  [ "$(web_stat "$1")" = "$2" ]
}
