#!/usr/bin/env bash
# fohctl: every read command's --json parses; get/set/call reach fohd and
# its refusals come back as exit 1 with one line; usage errors exit 2;
# meters prints plain lines when stdout is not a terminal.
set -u
. "$FOH_TESTS/lib.sh"

printf '[daemon]\nchannels = 2\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch2.capture || fail "channels are not in the graph"

json_ok() {
  "$FOHCTL" --json "$@" | python3 -c 'import json, sys; json.load(sys.stdin)' \
    || fail "fohctl --json $* did not print valid JSON"
}
json_ok status
json_ok devices
json_ok self-check
json_ok list
json_ok get manager
json_ok get channel/1
json_ok get channel/2 CompRatio Gain
json_ok meters --once
json_ok call manager ListDevices

[ "$("$FOHCTL" list | awk '{print $1}' | tr '\n' ' ')" = "manager analyzer channel/1 channel/2 deck/a deck/b mixer stabilizer x32 " ] \
  || fail "fohctl list: $("$FOHCTL" list)"

"$FOHCTL" set channel/2 CompRatio 4 || fail "set CompRatio 4"
[ "$(chprop 2 CompRatio)" = 4 ] || fail "set did not reach fohd: $(chprop 2 CompRatio)"
[ "$("$FOHCTL" get channel/2 CompRatio)" = 4 ] || fail "get CompRatio"
"$FOHCTL" set channel/2 Gain -7.5 || fail "set a negative value"
[ "$(chprop 2 Gain)" = -7.5 ] || fail "Gain is $(chprop 2 Gain)"
"$FOHCTL" set channel/2 Mute true || fail "set a bool"
[ "$(chprop 2 Mute)" = true ] || fail "Mute is $(chprop 2 Mute)"

expect_exit() {
  local want=$1; shift
  "$FOHCTL" "$@" >"$FOH_SESSION/out" 2>"$FOH_SESSION/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "fohctl $* exited $rc, want $want ($(cat "$FOH_SESSION/err"))"
  if [ "$want" -ne 0 ]; then
    [ "$(wc -l <"$FOH_SESSION/err")" -eq 1 ] || fail "fohctl $*: want one line on stderr: $(cat "$FOH_SESSION/err")"
  fi
}
expect_exit 1 set channel/2 CompRatio 0.5          # refused by fohd, with the range
grep -q '\[1, 100\]' "$FOH_SESSION/err" || fail "the refusal lacks the range: $(cat "$FOH_SESSION/err")"
[ "$(chprop 2 CompRatio)" = 4 ] || fail "a refused set changed CompRatio"
expect_exit 2 set channel/2 CompRatio abc          # not a number
expect_exit 2 set channel/2 NoSuchProperty 1
expect_exit 2 call manager PlayTestTone 1 440      # wrong argument count
expect_exit 1 call manager PlayTestTone 9 440 1 -12
expect_exit 2 frobnicate
expect_exit 2 status extra
expect_exit 0 call manager PlayTestTone 1 440 0.2 -20
expect_exit 0 set --help

# The object form: fohctl analyzer, fohctl channel N PROPERTY[=VALUE], a method.
"$FOHCTL" analyzer Strength=0.25 || fail "fohctl analyzer Strength=0.25"
[ "$("$FOHCTL" analyzer Strength)" = 0.25 ] || fail "fohctl analyzer Strength"
"$FOHCTL" analyzer SetBand mid 300 2000 || fail "fohctl analyzer SetBand"
"$FOHCTL" --json analyzer | python3 -c 'import json, sys; assert json.load(sys.stdin)["Bands"][1] == ["mid", 300.0, 2000.0]' \
  || fail "fohctl --json analyzer does not show the new band"
"$FOHCTL" channel 2 Gain=-3 || fail "fohctl channel 2 Gain=-3"
[ "$(chprop 2 Gain)" = -3 ] || fail "fohctl channel 2 Gain=-3 gave $(chprop 2 Gain)"
expect_exit 1 analyzer Strength=2
expect_exit 2 channel x Gain

"$FOHCTL" meters --count 3 >"$FOH_SESSION/meters" || fail "fohctl meters failed"
[ "$(grep -c '^ch1 peak=' "$FOH_SESSION/meters")" -eq 3 ] \
  || fail "meters did not print 3 plain ticks: $(cat "$FOH_SESSION/meters")"
echo "ok: fohctl"
