#!/usr/bin/env bash
# foh-web's guard with a real fohd: a wrong Host (DNS rebinding) and a
# foreign Origin (cross-site request, WebSocket hijacking) are refused on
# requests and on the WebSocket handshake; oversized and chunked bodies,
# oversized WebSocket messages, other methods, and static paths with "..",
# encoded dots, dot-files or a symlink out of the directory are refused;
# (libsoup itself answers 400 to an encoded "/../"); every response carries
# the Content-Security-Policy; each refusal is
# counted in `fohctl web stats`. Then foh-web on a non-loopback address:
# the token is generated 0600, requests without it (or with a wrong one)
# are refused, the bearer header and the login page's cookie are accepted,
# and an allow-list that leaves the client out refuses it; a temporary
# token file a killed foh-web left (token.tmp-XXXXXX) is removed at start.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

here=$FOH_TESTS/foh-web
printf '[daemon]\nchannels = 1\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
start_web
echo '<!doctype html><title>ok</title>' >"$FOH_SESSION/www/index.html"
echo secret >"$FOH_SESSION/outside.txt"
echo hidden >"$FOH_SESSION/www/.hidden"
ln -s "$FOH_SESSION/outside.txt" "$FOH_SESSION/www/link.txt"
mkdir -p "$FOH_SESSION/www/sub"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# Host
[ "$(code "$BASE/api/v1/manager")" = 200 ] || fail "a plain request is refused"
[ "$(code -H "Host: localhost:$WEB_PORT" "$BASE/api/v1/manager")" = 200 ] || fail "Host localhost refused"
[ "$(code -H "Host: evil.example:$WEB_PORT" "$BASE/api/v1/manager")" = 421 ] || fail "a foreign Host is served"
[ "$(code -H "Host: 127.0.0.1:1" "$BASE/api/v1/manager")" = 421 ] || fail "a Host with another port is served"
[ "$(web_stat refused_host)" = 2 ] || fail "refused_host is $(web_stat refused_host), not 2"

# Origin
[ "$(code -H "Origin: http://127.0.0.1:$WEB_PORT" "$BASE/api/v1/manager")" = 200 ] || fail "our own origin is refused"
[ "$(code -H "Origin: http://evil.example" "$BASE/api/v1/manager")" = 403 ] || fail "a foreign Origin is served"
[ "$(code -X PATCH -H "Origin: http://evil.example" -H 'Content-Type: application/json' \
  --data '{"Mute": true}' "$BASE/api/v1/channel/1")" = 403 ] || fail "a cross-site PATCH is served"
[ "$(chprop 1 Mute)" = false ] || fail "a cross-site PATCH changed Mute"
ws=ws://127.0.0.1:$WEB_PORT/api/v1/events
[ "$($PY "$here/wscheck.py" origin "$ws" "")" = open ] || fail "a WebSocket without Origin is refused"
[ "$($PY "$here/wscheck.py" origin "$ws" "http://127.0.0.1:$WEB_PORT")" = open ] || fail "our own WebSocket origin is refused"
[ "$($PY "$here/wscheck.py" origin "$ws" "http://evil.example")" = 403 ] || fail "a cross-site WebSocket is accepted"
[ "$($PY "$here/wscheck.py" origin "$ws" "null")" = 403 ] || fail "a null-origin WebSocket is accepted"
[ "$(web_stat refused_origin)" = 4 ] || fail "refused_origin is $(web_stat refused_origin), not 4"

# sizes and methods
head -c 70000 /dev/zero | tr '\0' ' ' >"$FOH_SESSION/big.json"
[ "$(code -X PATCH -H 'Content-Type: application/json' --data-binary @"$FOH_SESSION/big.json" "$BASE/api/v1/channel/1")" = 413 ] \
  || fail "a 70000-byte body is accepted"
[ "$(code -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$FOH_SESSION/big.json" "$BASE/api/v1/manager/Reload")" = 411 ] \
  || fail "a chunked body is accepted"
[ "$(code -X DELETE "$BASE/api/v1/channel/1")" = 405 ] || fail "DELETE is served"
# libsoup closes with 1009 and drops the connection at once: the client may
# see 1009 or 1006 (no close frame)
case $($PY "$here/wscheck.py" big "$ws" 70000) in
  1009|1006) ;;
  *) fail "a 70000-byte WebSocket message does not close the connection" ;;
esac
wait_for 5 web_stat_is refused_message_size 1 || fail "refused_message_size is $(web_stat refused_message_size)"
[ "$(web_stat refused_body_size)" = 2 ] || fail "refused_body_size is $(web_stat refused_body_size)"

# static files
[ "$(code "$BASE/")" = 200 ] || fail "index.html is not served"
curl -s -D "$FOH_SESSION/headers" -o /dev/null "$BASE/"
grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$FOH_SESSION/headers" \
  || fail "no strict Content-Security-Policy: $(cat "$FOH_SESSION/headers")"
grep -qi '^X-Content-Type-Options: nosniff' "$FOH_SESSION/headers" || fail "no nosniff"
for p in '../outside.txt' 'sub/../../outside.txt' '%2e%2e/outside.txt' '%2E%2E%2Foutside.txt' \
    'sub/%2e%2e/%2e%2e/outside.txt' '.hidden' 'link.txt' '..%5coutside.txt'; do
  c=$(code --path-as-is "$BASE/$p")
  case $c in 400|403|404) ;; *) fail "/$p answered $c" ;; esac
  curl -s --path-as-is "$BASE/$p" | grep -q secret && fail "/$p leaked a file from outside"
done
[ "$(web_stat refused_path)" -ge 6 ] || fail "refused_path is $(web_stat refused_path)"

"$FOHCTL" web stats | grep -q '^refused_origin  *4$' || fail "fohctl web stats: $("$FOHCTL" web stats)"

# a non-loopback listener needs the token
ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -1)
if [ -z "$ip" ]; then
  note "no non-loopback IPv4 address here: the token part is skipped"
  exit 0
fi
stop foh-web
printf '[web]\nlisten = %s:0\ntoken-file = %s/token\n' "$ip" "$FOH_SESSION" >"$FOH_SESSION/foh-web.conf"
echo 0123456789abcdef0123456789abcdef >"$FOH_SESSION/token.tmp-k1L2m3"
start_web
BASE=http://$ip:$WEB_PORT
[ -e "$FOH_SESSION/token.tmp-k1L2m3" ] && fail "a stale temporary token file survived the start"
[ "$(stat -c %a "$FOH_SESSION/token")" = 600 ] || fail "the token file is not 0600"
token=$("$FOHCTL" web token "$FOH_SESSION/token")
[ "${#token}" = 64 ] || fail "fohctl web token: '$token'"
[ "$(code "$BASE/api/v1/manager")" = 401 ] || fail "no token, yet served"
[ "$(code -H "Authorization: Bearer wrong$token" "$BASE/api/v1/manager")" = 401 ] || fail "a wrong token is accepted"
[ "$(code -H "Authorization: Bearer $token" "$BASE/api/v1/manager")" = 200 ] || fail "the bearer token is refused"
[ "$($PY "$here/wscheck.py" origin "ws://$ip:$WEB_PORT/api/v1/events" "")" = 401 ] || fail "a WebSocket without the token is accepted"
[ "$(code "$BASE/login")" = 200 ] || fail "the login page needs the token"
curl -s -c "$FOH_SESSION/cookies" -o /dev/null -d "token=$token" "$BASE/login"
grep -q "foh_token" "$FOH_SESSION/cookies" || fail "the login page set no cookie"
[ "$(code -b "$FOH_SESSION/cookies" "$BASE/api/v1/manager")" = 200 ] || fail "the login cookie is refused"
[ "$(code -d "token=nope" "$BASE/login")" = 401 ] || fail "a wrong login is accepted"
[ "$(web_stat refused_token)" = 3 ] || fail "refused_token is $(web_stat refused_token)"
# an allow-list without this client
stop foh-web
printf '[web]\nlisten = %s:0\ntoken-file = %s/token\nallow = 10.99.0.0/16\n' "$ip" "$FOH_SESSION" >"$FOH_SESSION/foh-web.conf"
start_web
BASE=http://$ip:$WEB_PORT
[ "$(code -H "Authorization: Bearer $token" "$BASE/api/v1/manager")" = 403 ] || fail "a client outside the allow-list is served"
[ "$(web_stat refused_network)" = 1 ] || fail "refused_network is $(web_stat refused_network)"
[ "$("$FOHCTL" web token "$FOH_SESSION/token")" = "$token" ] || fail "the token changed across restarts"
note "guard ok"
