#!/usr/bin/env bash
# The config directory read-only, then full (a 128 KiB tmpfs mounted over
# ~/.config/foh in a private mount namespace, so nothing outside sees it):
#  - read-only: a Set of a channel, analyzer or X32 setting fails with
#    CannotSave and changes nothing; SavePreset fails with CannotSave
#    naming the directory;
#  - full: a Set is accepted (the directory is writable), the save fails,
#    UnsavedChanges turns true and SaveFailed is emitted; the file keeps
#    its old content and still loads, no temporary file is left; SavePreset
#    fails with CannotSave; once there is room the next change saves all.
# Needs root (mount); skipped otherwise.
set -u
if [ -z "${FOH_MOUNT_NS:-}" ]; then
  if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
    echo "# needs root and a private mount namespace: skipped"
    exit 77
  fi
  FOH_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$FOH_TESTS/lib.sh"

cfg=$XDG_CONFIG_HOME/foh
conf=$cfg/foh.conf
AN=(/org/foh/Foh1/analyzer org.foh.Foh1.Analyzer)
X32=(/org/foh/Foh1/x32 org.foh.Foh1.X32)
set_prop() { busctl --user -- set-property org.foh.Foh1 "$@" 2>&1; }
file_gain() { sed -n '/^\[channel\.1\]/,/^\[/s/^gain *= *//p' "$conf"; }
file_gain_is() { [ "$(file_gain)" = "$1" ]; }
cannot_save() { # WHAT CMD...: CMD must fail with CannotSave
  local what=$1 out; shift
  out=$(dbus-send --session --print-reply --dest=org.foh.Foh1 "$@" 2>&1) \
    && fail "$what succeeded on a $state config directory"
  echo "$out" | grep -q 'org.foh.Foh1.Error.CannotSave' || fail "$what: not CannotSave: $out"
  note "$state, $what: $(echo "$out" | tr -s "\n" " ")"
}

mkdir -p "$cfg"
mount -t tmpfs -o size=128k,mode=0700 foh-test-config "$cfg" || fail "cannot mount a tmpfs on $cfg"
printf '[daemon]\nchannels = 1\n' >"$conf"
start_fohd
chset 1 Gain d -3
wait_for 3 file_gain_is -3 || fail "Gain -3 was not saved: $(cat "$conf")"
strength=$(busctl --user get-property org.foh.Foh1 "${AN[@]}" Strength | cut -d' ' -f2)

# 1. Read-only.
state=read-only
mount -o remount,ro "$cfg" || fail "cannot make $cfg read-only"
cannot_save "channel Gain" /org/foh/Foh1/channel/1 org.freedesktop.DBus.Properties.Set \
  string:org.foh.Foh1.Channel string:Gain variant:double:-6
cannot_save "analyzer Strength" "${AN[0]}" org.freedesktop.DBus.Properties.Set \
  string:"${AN[1]}" string:Strength variant:double:0.25
cannot_save "X32 Address" "${X32[0]}" org.freedesktop.DBus.Properties.Set \
  string:"${X32[1]}" string:Address variant:string:127.0.0.1
cannot_save "SavePreset" "${AN[0]}" "${AN[1]}".SavePreset string:ro
[ "$(chprop 1 Gain)" = -3 ] || fail "a refused Set changed Gain to $(chprop 1 Gain)"
[ "$(busctl --user get-property org.foh.Foh1 "${AN[@]}" Strength | cut -d' ' -f2)" = "$strength" ] \
  || fail "a refused Set changed Strength"
prop_is UnsavedChanges false || fail "UnsavedChanges with nothing unsaved"
mount -o remount,rw "$cfg" || fail "cannot make $cfg writable again"

# 2. Full.
state=full
spawn monitor busctl --user monitor --match "type='signal',member='SaveFailed'"
wait_for 3 test -s "$FOH_SESSION/monitor.log" || sleep 0.3
dd if=/dev/zero of="$cfg/filler" bs=4k 2>/dev/null
head -c 4096 /dev/zero >>"$cfg/filler" 2>/dev/null
note "$(df -k "$cfg" | tail -n1 | awk '{print $3 " KiB used, " $4 " KiB free"}')"
chset 1 Gain d -9
wait_for 5 prop_is UnsavedChanges true || fail "UnsavedChanges is $(prop UnsavedChanges) on a full disk"
[ "$(chprop 1 Gain)" = -9 ] || fail "Gain $(chprop 1 Gain), want -9 in memory"
wait_for 3 grep -q 'cannot save the settings' "$FOH_SESSION/monitor.log" \
  || fail "no SaveFailed signal: $(cat "$FOH_SESSION/monitor.log")"
note "SaveFailed: $(grep -o 'cannot save the settings[^"]*' "$FOH_SESSION/monitor.log" | head -n1)"
[ "$(file_gain)" = -3 ] || fail "the file's gain is '$(file_gain)' after a failed save, want the old -3"
"$FOHD" --check-config --config "$conf" >/dev/null 2>&1 || fail "the old file does not load any more"
ls "$cfg" | grep -q 'tmp-' && fail "a failed save left a temporary file: $(ls "$cfg")"
cannot_save "SavePreset" "${AN[0]}" "${AN[1]}".SavePreset string:full
rm "$cfg/filler"
chset 1 Gain d -10
wait_for 5 prop_is UnsavedChanges false || fail "UnsavedChanges stays true with room on the disk"
wait_for 3 file_gain_is -10 || fail "the file's gain is '$(file_gain)' after room came back, want -10"
