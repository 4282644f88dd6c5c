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

for r in $(seq 1 "$rounds"); do
  spawn fohd strace -f -qq -o /dev/null -e trace=fsync,fdatasync,rename,renameat,renameat2 \
    -e inject=fsync,fdatasync:delay_enter=150000 \
    -e inject=rename,renameat,renameat2:delay_exit=150000 "$FOHD" --config "$conf"
  wait_for 10 fohd_on_bus || fail "round $r: fohd did not start under strace (see fohd.log)"
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
  note "round $r: killed at $delay ms, file holds gain $g"
done
tmp=$(find "$FOH_SESSION" -maxdepth 1 -name 'foh.conf.tmp-*' | wc -l)
note "$tmp of $rounds kills left a temporary file (killed inside a save, before its rename)"
[ "$tmp" -ge 1 ] || note "no kill landed before a rename this time"

# A normal start on what is left: the settings are the file's.
start_fohd --config "$conf"
[ "$(chprop 1 Gain)" = "$(file_gain)" ] || fail "fohd's Gain $(chprop 1 Gain), the file's $(file_gain)"
