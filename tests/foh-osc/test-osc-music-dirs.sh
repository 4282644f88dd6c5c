#!/usr/bin/env bash
# Defect 5: paths from OSC are confined to [decks] music-dirs. A track
# outside the music folder, one reached through "..", and one through a
# symlink inside the folder are refused (refused_path, logged once per
# address and reason) and the deck keeps what it had; a track inside, also
# given relative to the folder, loads. fohd's own Load (the user, fohctl)
# still takes any full path.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-osc/osc.sh"

start_pair 0
MUSIC=$FOH_SESSION/music
mkdir -p "$FOH_SESSION/private"
tone "$FOH_SESSION/private/secret.wav" 440 -20 1
tone "$MUSIC/in.wav" 880 -20 1
ln -s "$FOH_SESSION/private/secret.wav" "$MUSIC/link.wav"

dk() { objprop "deck/$1" Deck "$2"; }
m() { oscsend 127.0.0.1 "$OSC_MOVEMENT_PORT" "$@" || fail "oscsend $* failed"; }

m /load_buffer is 100 "$FOH_SESSION/private/secret.wav"
m /load_buffer is 100 "$FOH_SESSION/private/secret.wav"
m /cue ss A "$MUSIC/../private/secret.wav"
m /play ssf a "$MUSIC/link.wav" 0
wait_for 5 osc_stat_is refused_path 4 || fail "refused_path is $(osc_stat refused_path), want 4"
[ "$(dk a Path)" = '""' ] || fail "deck a loaded $(dk a Path) from outside the music folder"
[ "$(osc_stat dispatched)" = 0 ] || fail "a refused path still made $(osc_stat dispatched) D-Bus calls"
n=$(grep -c "refused /load_buffer: .*outside the music folders" "$FOH_SESSION/foh-osc.log")
[ "$n" = 1 ] || fail "the refused /load_buffer is logged $n times, want once"
grep -q "refused /cue: .*outside the music folders" "$FOH_SESSION/foh-osc.log" \
  || fail "the refused /cue is not logged"
echo "ok: outside, .. and symlinked paths refused, counted and logged once"

m /load_buffer is 100 in.wav
wait_for 5 objprop_is deck/a Deck Path "\"$MUSIC/in.wav\"" \
  || fail "relative in.wav: deck a Path is $(dk a Path)"
m /cue ss B "$MUSIC/in.wav"
wait_for 5 objprop_is deck/b Deck Path "\"$MUSIC/in.wav\"" || fail "deck b Path is $(dk b Path)"
echo "ok: tracks in the music folder load"

busctl --user call org.foh.Foh1 /org/foh/Foh1/deck/c org.foh.Foh1.Deck Load s \
  "$FOH_SESSION/private/secret.wav" || fail "D-Bus Load of a full path was refused"
objprop_is deck/c Deck Path "\"$FOH_SESSION/private/secret.wav\"" || fail "deck c Path is $(dk c Path)"
echo "ok: D-Bus callers keep full paths"
