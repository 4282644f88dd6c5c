#!/usr/bin/env bash
# The browser UI (web/, as installed) under foh-web's Content-Security-
# Policy in headless Chromium: its modules load, the events WebSocket says
# fohd runs, a strip per channel fills from /api/v1, and a click on a
# channel's Mute goes through PATCH to fohd (busctl sees Mute) and comes
# back as the button's pressed state via PropertiesChanged.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

here=$FOH_TESTS/foh-web
printf '[daemon]\nchannels = 2\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
start_web --static-dir "$FOH_SRCDIR/web"
spawn chromium chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$FOH_SESSION/chromium" --remote-debugging-port=0 about:blank
devtools() { grep -o 'ws://127.0.0.1:[0-9]*/devtools/browser/[a-z0-9-]*' "$FOH_SESSION/chromium.log"; }
wait_for 20 devtools || fail "headless Chromium did not start (see chromium.log)"
got=$($PY "$here/cdp.py" "$(devtools)" "$BASE/" 20 \
  'document.querySelector("#link").textContent + "|" + document.querySelectorAll("[data-readout]").length' \
  'document.querySelectorAll("[data-readout]").length == 2 && document.querySelector("#link").textContent == "live"')
note "UI: $got"
[ "$got" = "live|2" ] || fail "the UI did not come up: $got"
mute='document.querySelector("button[data-path=\"channel/2\"][data-prop=\"Mute\"]")'
got=$($PY "$here/cdp.py" "$(devtools)" "$BASE/" 20 \
  "String($mute && $mute.getAttribute(\"aria-pressed\"))" \
  "(() => { const b = $mute; if (b && b.getAttribute(\"aria-pressed\") == \"false\" && !window.clicked) { window.clicked = 1; b.click(); } return !!b && b.getAttribute(\"aria-pressed\") == \"true\"; })()")
[ "$got" = true ] || fail "the Mute button reads '$got' after a click"
[ "$(chprop 2 Mute)" = true ] || fail "the UI's click did not mute channel 2"
[ "$(web_stat refused_origin)" = 0 ] && [ "$(web_stat refused_host)" = 0 ] || fail "the UI's own requests were refused"
stop chromium
