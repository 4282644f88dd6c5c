#!/usr/bin/env bash
# sd_notify: READY at start, RELOADING with MONOTONIC_USEC then READY on
# SIGHUP, STOPPING on SIGTERM, and a clean exit status. fohctl with no fohd
# prints one line on stderr and exits 1.
set -u
. "$FOH_TESTS/lib.sh"

out=$("$FOHCTL" status 2>"$FOH_SESSION/err"); rc=$?
[ "$rc" -eq 1 ] || fail "fohctl status without fohd exited $rc, want 1"
[ -z "$out" ] || fail "fohctl printed to stdout without fohd: $out"
[ "$(wc -l <"$FOH_SESSION/err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$FOH_SESSION/err")"
grep -q 'not running' "$FOH_SESSION/err" || fail "unclear message: $(cat "$FOH_SESSION/err")"

sock=$FOH_SESSION/notify.sock
spawn notify python3 "$FOH_TESTS/core/notify-listener.py" "$sock" "$FOH_SESSION/notify.log"
wait_for 5 test -S "$sock" || fail "notify listener did not start"
NOTIFY_SOCKET=$sock start_fohd
pid=$(pid_of fohd)
has() { grep -q "$1" "$FOH_SESSION/notify.log"; }
wait_for 5 has '^READY=1' || fail "no READY=1"
kill -HUP "$pid"
wait_for 5 has '^RELOADING=1' || fail "no RELOADING=1 after SIGHUP"
grep -A3 '^RELOADING=1' "$FOH_SESSION/notify.log" | grep -Eq '^MONOTONIC_USEC=[0-9]+$' \
  || fail "RELOADING without MONOTONIC_USEC"
ready_twice() { [ "$(grep -c '^READY=1' "$FOH_SESSION/notify.log")" -ge 2 ]; }
wait_for 5 ready_twice || fail "no READY=1 after reload"
kill -TERM "$pid"
wait "$pid"; status=$?
[ "$status" -eq 0 ] || fail "fohd exited $status on SIGTERM"
rm -f "$FOH_SESSION/pids/fohd.pid"
has '^STOPPING=1' || fail "no STOPPING=1"
echo "ok: notify sequence $(tr '\n' ' ' <"$FOH_SESSION/notify.log")"
