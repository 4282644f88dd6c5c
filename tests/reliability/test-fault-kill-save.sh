#!/usr/bin/env bash
# fohd killed (SIGKILL) at random points while it saves settings: the
# config file always loads (fohd --check-config) and holds either the value
# before or one that was written — never a mix, never nothing.
#
# A save (write, fsync, rename, fsync of the directory) takes well under a
# millisecond here, so a kill at a random time would almost never land in
# one. fohd runs under strace, which delays every fsync by 150 ms on entry
# and every rename by 150 ms on exit: a save then lasts about half a
# second, most kills land inside one, and the temporary files left behind
# (killed before the rename) show how many did.
#
# Those temporaries must not pile up: each start removes what the kill
# before it left (foh_atomic_clean) and says how many in its log; so after
# the rounds and a normal start, no foh.conf.tmp-* is left, nor one of a
# preset or of the content model planted as if a save of theirs had been
# killed — while files that only look like ours (a symbolic link and a
# directory of that name, another suffix, the link's target) stay.
#
# Last, a save in flight does not hold up the main loop (fohd writes on a
# thread of its own): with every fsync delayed by 3 s, D-Bus calls are
# answered while the save's temporary file is there and the file does not
# hold the new value yet, and the value lands when the fsyncs are done; a
# reload (SIGHUP) while a save is written keeps the value being written.
set -u
. "$FOH_TESTS/lib.sh"

conf=$FOH_SESSION/foh.conf
written=$FOH_SESSION/written
printf '[daemon]\nchannels = 2\n\n[channel.1]\ngain = -1\n' >"$conf"
echo -1 >"$written"
rounds=${FOH_KILL_ROUNDS:-8}

file_gain() {
  sed -n '/^\[channel\.1\]/,/^\[/s/^gain *= *//p' "$conf"
}

tmps() { find "$FOH_SESSION" -maxdepth 1 -type f -name 'foh.conf.tmp-??????' | wc -l; }
left=0 last=0
for r in $(seq 1 "$rounds"); do
  [ "$(tmps)" -le 1 ] || fail "round $r: $(tmps) temporary files before the start: they pile up"
  : >"$FOH_SESSION/fohd.log"
  spawn fohd strace -f -qq -o /dev/null -e trace=fsync,fdatasync,rename,renameat,renameat2 \
    -e inject=fsync,fdatasync:delay_enter=150000 \
    -e inject=rename,renameat,renameat2:delay_exit=150000 "$FOHD" --config "$conf"
  wait_for 10 fohd_on_bus || fail "round $r: fohd did not start under strace (see fohd.log)"
  # the start removed what the last kill left, before any save of its own
  if [ "$r" -gt 1 ] && [ "$last" -gt 0 ]; then
    wait_for 10 grep -q "removed $last stale temporary file.* of $FOH_SESSION/foh.conf " \
      "$FOH_SESSION/fohd.log" || fail "round $r: the start did not report removing $last: $(cat "$FOH_SESSION/fohd.log")"
  fi
  tracer=$(pid_of fohd)
  fohd=$(pgrep -P "$tracer" | head -n1)
  [ -n "$fohd" ] || fail "round $r: cannot find fohd under strace $tracer"
  # the kill: 0.3 to 1.5 s into the writes
  delay=$(( 300 + RANDOM % 1200 ))
  ( sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"; kill -KILL "$fohd" ) &
  killer=$!
  for j in $(seq 1 40); do
    v="-$r.$j"
    busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel \
      Gain d "$v" 2>/dev/null || break
    echo "$v" >>"$written"
    sleep 0.04
  done
  wait "$killer"
  stop fohd >/dev/null 2>&1   # strace, which ends with its tracee
  "$FOHD" --check-config --config "$conf" >"$FOH_SESSION/check.txt" 2>&1 \
    || fail "round $r (killed at $delay ms): the config does not load: $(cat "$FOH_SESSION/check.txt")"
  g=$(file_gain)
  grep -qx -- "$g" "$written" || fail "round $r: the file holds gain '$g', which was never written"
  last=$(tmps)
  left=$(( left + last ))
  note "round $r: killed at $delay ms, file holds gain $g, $last temporary file(s) left"
done
note "$left of $rounds kills left a temporary file (killed inside a save, before its rename)"
[ "$left" -ge 1 ] || note "no kill landed before a rename this time"

# As if a preset save and a content learn had been killed too, and files
# that only look like leftovers.
presets=$XDG_CONFIG_HOME/foh/presets styles=$XDG_CONFIG_HOME/foh/content/styles
mkdir -p "$presets" "${styles%/*}" "$FOH_SESSION/foh.conf.tmp-DIR000"
echo stale >"$presets/channel-vocal.conf.tmp-aB3xYz"
echo stale >"$styles.tmp-Q1w2E3"
echo keep >"$FOH_SESSION/target"
ln -s "$FOH_SESSION/target" "$FOH_SESSION/foh.conf.tmp-LINK00"
echo keep >"$presets/notes.txt.tmp-abcdef"
echo keep >"$FOH_SESSION/foh.conf.tmp-abc"

# A normal start on what is left: the settings are the file's.
: >"$FOH_SESSION/fohd.log"
start_fohd --config "$conf"
[ "$(chprop 1 Gain)" = "$(file_gain)" ] || fail "fohd's Gain $(chprop 1 Gain), the file's $(file_gain)"
[ "$(tmps)" = 0 ] || fail "$(tmps) foh.conf.tmp-* left after a normal start"
[ -e "$presets/channel-vocal.conf.tmp-aB3xYz" ] && fail "a preset's stale temporary file survived the start"
[ -e "$styles.tmp-Q1w2E3" ] && fail "the content model's stale temporary file survived the start"
for k in "$FOH_SESSION/foh.conf.tmp-DIR000" "$FOH_SESSION/foh.conf.tmp-LINK00" "$FOH_SESSION/target" \
    "$presets/notes.txt.tmp-abcdef" "$FOH_SESSION/foh.conf.tmp-abc"; do
  [ -e "$k" ] || [ -L "$k" ] || fail "$k is not ours but was removed"
done
[ "$(cat "$FOH_SESSION/target")" = keep ] || fail "the symbolic link's target was changed"
grep -q "removed 1 stale temporary file of $presets/\*\.conf" "$FOH_SESSION/fohd.log" \
  || fail "no log line for the preset's temporary file: $(cat "$FOH_SESSION/fohd.log")"
grep -q "removed 1 stale temporary file of $styles " "$FOH_SESSION/fohd.log" \
  || fail "no log line for the content model's temporary file"
note "after $rounds kills and a normal start: no temporary file left, the look-alikes kept"

stop fohd
: >"$FOH_SESSION/fohd.log"
# (LeakSanitizer cannot run under ptrace: off for this fohd, which exits)
spawn fohd env ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0} \
  strace -f -qq -o /dev/null -e trace=fsync,fdatasync \
  -e inject=fsync,fdatasync:delay_enter=3000000 "$FOHD" --config "$conf"
wait_for 10 fohd_on_bus || fail "fohd did not start under strace"
busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel Gain d -3.25 \
  || fail "Gain -3.25 was refused"
in_flight() { [ "$(tmps)" -ge 1 ]; }
wait_for 10 in_flight || fail "the save did not start"
for i in 1 2 3; do
  [ "$(chprop 1 Gain)" = -3.25 ] || fail "a Get during the save: $(chprop 1 Gain)"
done
busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/2 org.foh.Foh1.Channel Gain d -1.5 \
  || fail "a Set during the save was refused"
in_flight || fail "the save ended before the calls were answered: they waited for it"
[ "$(file_gain)" = -3.25 ] && fail "the file holds -3.25 already: the calls waited for the save"
landed() { [ "$(file_gain)" = -3.25 ] && grep -q '^gain *= *-1.5' "$conf"; }
wait_for 30 landed || fail "the values did not land after the fsyncs: gain $(file_gain)"
note "4 calls answered while a save sat in a 3 s fsync; both values on disk after"
# A reload while a save is being written keeps what it writes.
tracer=$(pid_of fohd)
fohd=$(pgrep -P "$tracer" | head -n1)
busctl --user -- set-property org.foh.Foh1 /org/foh/Foh1/channel/1 org.foh.Foh1.Channel Gain d -4.75 \
  || fail "Gain -4.75 was refused"
wait_for 10 in_flight || fail "the save of -4.75 did not start"
kill -HUP "$fohd"
wait_for 10 grep -q "reloaded" "$FOH_SESSION/fohd.log" || fail "no reload"
in_flight || note "(the save ended during the reload)"
[ "$(chprop 1 Gain)" = -4.75 ] || fail "a reload during the save lost Gain -4.75: $(chprop 1 Gain)"
landed2() { [ "$(file_gain)" = -4.75 ]; }
wait_for 30 landed2 || fail "-4.75 did not land after the reload: $(file_gain)"
# strace does not pass SIGTERM on: end fohd itself, then strace ends
tracer=$(pid_of fohd)
kill -TERM "$(pgrep -P "$tracer" | head -n1)"
wait_for 20 eval '! kill -0 "$tracer" 2>/dev/null' || fail "fohd under strace did not stop on SIGTERM"
