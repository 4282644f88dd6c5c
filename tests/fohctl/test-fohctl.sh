#!/usr/bin/env bash
# fohctl: with fohd down every command exits 1 with one line; every read
# command that `fohctl --help` lists prints JSON that python's json module
# parses (a read command this test has no arguments for fails it); every
# command answers --help; get/set/call reach fohd and its refusals come back
# as exit 1 with one line; usage errors exit 2; meters draws bars on a
# terminal, plain lines or JSON lines otherwise, and stops cleanly on SIGINT.
set -u
. "$FOH_TESTS/lib.sh"

expect_exit() {
  local want=$1; shift
  "$FOHCTL" "$@" >"$FOH_SESSION/out" 2>"$FOH_SESSION/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "fohctl $* exited $rc, want $want ($(cat "$FOH_SESSION/err"))"
  if [ "$want" -eq 1 ]; then
    [ "$(wc -l <"$FOH_SESSION/err")" -eq 1 ] || fail "fohctl $*: want one line on stderr: $(cat "$FOH_SESSION/err")"
  fi
}

# The commands `fohctl --help` lists under a heading starting with $1.
help_commands() {
  "$FOHCTL" --help | awk -v h="$1" 'index($0, h) == 1 { f = 1; next } /^$/ { f = 0 } f { print $1 }'
}
reads=$(help_commands 'Commands that print')
writes=$(help_commands 'Commands that change')
[ -n "$reads" ] && [ -n "$writes" ] || fail "fohctl --help lists no commands: $("$FOHCTL" --help)"

# Arguments for each read command, variants separated by '|'.
declare -A read_args=(
  [status]=''
  [devices]=''
  [self-check]=''
  [list]=''
  [describe]='manager|channel/1|analyzer|x32|stabilizer'
  [get]='manager|channel/1|channel/2 CompRatio Gain|channel/2 Gain|analyzer Bands'
  [call]='manager ListDevices|x32 ListOutputs|manager PlayTestTone 1 440 0.1 -30'
  [meters]='--once'
  [manager]='|Version|Version Channels'
  [analyzer]='|Strength'
  [x32]='|State'
  [stabilizer]='|State|watch --count 1'
  [channel]='1|2 Gain|1 Gain CompRatio'
  [deck]='a|b Playing|a Gain TempoRatio'
  [mixer]='|Crossfader'
  [osc]='stats'
  [profile]='list|show speech'
  [content]="classify --file $FOH_SRCDIR/data/content/styles $FOH_SESSION/tone.wav"
  [web]='stats'
  [room]='list'
)
tone "$FOH_SESSION/tone.wav" 440 -20 2
for cmd in $reads; do
  [ -n "${read_args[$cmd]+set}" ] || fail "read command '$cmd' has no JSON check in this test"
done

# fohd not running: every command fails with exit 1 and one line.
for cmd in $reads $writes; do
  case $cmd in
    content) continue ;;                 # works on files: below
    set) expect_exit 1 set channel/1 Gain 1 ;;
    *) IFS='|' read -r first _ <<<"${read_args[$cmd]-}"
       # shellcheck disable=SC2086
       expect_exit 1 $cmd $first ;;
  esac
  daemon=fohd
  [ "$cmd" = osc ] && daemon=foh-osc     # the commands that ask foh-osc
  [ "$cmd" = web ] && daemon=foh-web     # and foh-web
  [ "$cmd" = room ] && daemon=foh-web
  grep -q "$daemon is not running" "$FOH_SESSION/err" || fail "fohctl $cmd with $daemon down: $(cat "$FOH_SESSION/err")"
done

# content needs no fohd: it works on files
# shellcheck disable=SC2086
"$FOHCTL" content ${read_args[content]} >"$FOH_SESSION/out" 2>"$FOH_SESSION/err" \
  || fail "fohctl content ${read_args[content]} with fohd down: $(cat "$FOH_SESSION/err")"
grep -q "class=music" "$FOH_SESSION/out" || fail "a tone is not music: $(cat "$FOH_SESSION/out")"

# Every command answers --help with its usage, and exits 0.
for cmd in $reads $writes; do
  out=$("$FOHCTL" "$cmd" --help) || fail "fohctl $cmd --help exited $?"
  echo "$out" | head -1 | grep -q "^Usage: fohctl .*$cmd" || fail "fohctl $cmd --help: $out"
done
expect_exit 2
expect_exit 2 frobnicate
expect_exit 2 status extra
expect_exit 2 meters --count x

printf '[daemon]\nchannels = 2\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 5 pw_client_running foh.ch2.capture || fail "channels are not in the graph"
# foh-osc too, for `fohctl osc stats` (free loopback ports)
spawn foh-osc "$FOH_OSC" --listen 127.0.0.1:0 --movement-port 0
osc_on_bus() { busctl --user status org.foh.Osc1 >/dev/null 2>&1; }
wait_for 10 osc_on_bus || fail "foh-osc did not appear on the bus"
# and foh-web, for `fohctl web stats`
printf '[web]\nlisten = 127.0.0.1:0\n' >"$FOH_SESSION/foh-web.conf"
spawn_web foh-web "$FOH_WEB" --config "$FOH_SESSION/foh-web.conf"
web_on_bus() { busctl --user status org.foh.Web1 >/dev/null 2>&1; }
wait_for 10 web_on_bus || fail "foh-web did not appear on the bus"

mkdir -p "$FOH_SESSION/json"
n=0
for cmd in $reads; do
  IFS='|' read -r -a variants <<<"${read_args[$cmd]}"
  [ "${#variants[@]}" -gt 0 ] || variants=('')
  for args in "${variants[@]}"; do
    n=$((n + 1))
    echo "fohctl --json $cmd $args" >"$FOH_SESSION/json/$n.cmd"
    # shellcheck disable=SC2086
    "$FOHCTL" --json $cmd $args >"$FOH_SESSION/json/$n.out" 2>"$FOH_SESSION/err" \
      || fail "fohctl --json $cmd $args exited $?: $(cat "$FOH_SESSION/err")"
  done
done
# One parser run for all of them (python starts slowly on a busy machine).
python3 - "$FOH_SESSION/json" "$n" <<'PY' || fail "an output above is not valid JSON"
import json, sys
for i in range(1, int(sys.argv[2]) + 1):
    base = "%s/%d" % (sys.argv[1], i)
    try:
        json.load(open(base + ".out"))
    except ValueError as e:
        print("%s: %s\n%s" % (open(base + ".cmd").read().strip(), e, open(base + ".out").read()))
        sys.exit(1)
PY
note "$n read command variants printed valid JSON"

# Live meters with --json: one JSON array per tick, one per line, channels 1 and 2.
"$FOHCTL" --json meters --count 3 >"$FOH_SESSION/meters.json" || fail "fohctl --json meters failed"
python3 - "$FOH_SESSION/meters.json" <<'PY' || fail "fohctl --json meters: $(cat "$FOH_SESSION/meters.json")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
for l in lines:
    rows = json.loads(l)
    assert [r["channel"] for r in rows] == [1, 2], rows
PY

[ "$("$FOHCTL" list | awk '{print $1}' | tr '\n' ' ')" = "manager analyzer channel/1 channel/2 content deck/a deck/b deck/c deck/d mixer profiles stabilizer x32 " ] \
  || fail "fohctl list: $("$FOHCTL" list)"
"$FOHCTL" describe channel/1 | grep -qx 'property Gain d rw' || fail "describe lacks Gain: $("$FOHCTL" describe channel/1)"

"$FOHCTL" set channel/2 CompRatio 4 || fail "set CompRatio 4"
[ "$(chprop 2 CompRatio)" = 4 ] || fail "set did not reach fohd: $(chprop 2 CompRatio)"
[ "$("$FOHCTL" get channel/2 CompRatio)" = 4 ] || fail "get CompRatio"
"$FOHCTL" set channel/2 Gain -7.5 || fail "set a negative value"
[ "$(chprop 2 Gain)" = -7.5 ] || fail "Gain is $(chprop 2 Gain)"
"$FOHCTL" set channel/2 Gain -- -6.5 || fail "set a negative value after --"
[ "$(chprop 2 Gain)" = -6.5 ] || fail "Gain is $(chprop 2 Gain)"
"$FOHCTL" set channel/2 Mute true || fail "set a bool"
[ "$(chprop 2 Mute)" = true ] || fail "Mute is $(chprop 2 Mute)"

expect_exit 1 set channel/2 CompRatio 0.5          # refused by fohd, with the range
grep -q '\[1, 100\]' "$FOH_SESSION/err" || fail "the refusal lacks the range: $(cat "$FOH_SESSION/err")"
[ "$(chprop 2 CompRatio)" = 4 ] || fail "a refused set changed CompRatio"
expect_exit 2 set channel/2 CompRatio abc          # not a number
expect_exit 2 set channel/2 NoSuchProperty 1
expect_exit 2 call manager PlayTestTone 1 440      # wrong argument count
expect_exit 1 call manager PlayTestTone 9 440 1 -12
expect_exit 1 get channel/9
expect_exit 0 call manager PlayTestTone 1 440 0.2 -20

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

# Not a terminal: plain lines, one per channel per tick.
"$FOHCTL" meters --count 3 >"$FOH_SESSION/meters" || fail "fohctl meters failed"
[ "$(grep -c '^ch1 peak=' "$FOH_SESSION/meters")" -eq 3 ] \
  || fail "meters did not print 3 plain ticks: $(cat "$FOH_SESSION/meters")"
! grep -q $'\033' "$FOH_SESSION/meters" || fail "meters wrote escape sequences into a pipe"

# On a terminal: bars, redrawn until SIGINT, then exit 0 with the cursor back.
python3 - "$FOHCTL" <<'PY' || fail "fohctl meters on a terminal"
import os, pty, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "meters"])
out, deadline = b"", time.monotonic() + 5
while out.count(b"\033[H") < 3 and time.monotonic() < deadline:
    try:
        out += os.read(fd, 4096)
    except OSError:
        break
assert out.count(b"\033[H") >= 3, "fewer than 3 frames: %r" % out[-300:]
assert b"peak ####" in out or b"peak ...." in out, "no bars: %r" % out[-300:]
os.kill(pid, signal.SIGINT)
try:
    while True:
        data = os.read(fd, 4096)
        if not data:
            break
        out += data
except OSError:
    pass
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "status %r" % status
assert out.endswith(b"\033[?25h"), "cursor not restored: %r" % out[-50:]
PY

# fohd leaving ends a live view with exit 1 and one line.
"$FOHCTL" meters >"$FOH_SESSION/meters.live" 2>"$FOH_SESSION/meters.err" &
mpid=$!
meters_ticking() { [ -s "$FOH_SESSION/meters.live" ]; }   # subscribed before its first tick
wait_for 5 meters_ticking || fail "fohctl meters printed nothing"
trap - EXIT
stop fohd || fail "fohd exited with status $? on SIGTERM"
wait $mpid; rc=$?
[ "$rc" -eq 1 ] || fail "meters exited $rc when fohd left"
[ "$(wc -l <"$FOH_SESSION/meters.err")" -eq 1 ] || fail "meters: $(cat "$FOH_SESSION/meters.err")"
echo "ok: fohctl"
