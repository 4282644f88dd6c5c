#!/usr/bin/env bash
# fohctl deck and mixer: load and play a tone on deck b with fohctl, read
# it back (Playing, Path), set the crossfader, call SetMovement and see
# TargetBpm follow the table (0.2 → 118 + 12 · (0.2 − 0.10) / 0.5 = 120.4).
# fohctl deck L load PATH --struct/--rekordbox: TrackBpm from the track's
# struct JSON, Rekordbox's AverageBpm winning over it; a struct JSON of
# another track, or one without a BPM, is refused and the deck keeps its
# track. A reload applies changed [decks] and [deck.X] keys to the running
# decks.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_DECK/deck.sh"

deckaudio tone "$FOH_SESSION/tone.wav" 440 3
start_decks_fohd
"$FOHCTL" deck b Load "$FOH_SESSION/tone.wav" || fail "fohctl deck b Load failed"
"$FOHCTL" deck b Play || fail "fohctl deck b Play failed"
wait_for 3 deck_playing b || fail "deck b does not play"
[ "$("$FOHCTL" deck b Path)" = "$FOH_SESSION/tone.wav" ] || fail "fohctl deck b Path: $("$FOHCTL" deck b Path)"
"$FOHCTL" mixer Crossfader=1 || fail "fohctl mixer Crossfader=1 failed"
xf_is_one() { [ "$("$FOHCTL" mixer Crossfader)" = 1 ]; }
wait_for 2 xf_is_one || fail "Crossfader reads $("$FOHCTL" mixer Crossfader)"
"$FOHCTL" mixer SetMovement 0.2 || fail "fohctl mixer SetMovement failed"
within "$("$FOHCTL" mixer TargetBpm)" 120.39 120.41 || fail "TargetBpm is $("$FOHCTL" mixer TargetBpm)"
"$FOHCTL" deck e Play 2>/dev/null && fail "fohctl deck e was accepted"
"$FOHCTL" deck b Stop || fail "fohctl deck b Stop failed"
wait_for 3 deck_stopped b || fail "deck b does not stop"

# The track's BPM from its metadata (the files foh-sections reads).
cat >"$FOH_SESSION/tone.json" <<JSON
{"path": "/elsewhere/tone.wav", "bpm": 124.5, "segments": [{"start": 0, "end": 3, "label": "intro"}]}
JSON
cat >"$FOH_SESSION/other.json" <<JSON
{"path": "/elsewhere/other.wav", "bpm": 90, "segments": [{"start": 0, "end": 3, "label": "intro"}]}
JSON
cat >"$FOH_SESSION/rekordbox.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<DJ_PLAYLISTS Version="1.0.0"><COLLECTION Entries="2">
<TRACK TrackID="1" Name="t" AverageBpm="126.00" Tonality="Gm" Location="file://localhost/music/tone.wav"/>
<TRACK TrackID="2" Name="o" AverageBpm="99.00" Location="file://localhost/music/other.wav"/>
</COLLECTION></DJ_PLAYLISTS>
XML
trackbpm() { "$FOHCTL" deck a TrackBpm; }
"$FOHCTL" deck a load "$FOH_SESSION/tone.wav" --struct "$FOH_SESSION/tone.json" \
  || fail "fohctl deck a load --struct failed"
[ "$(trackbpm)" = 124.5 ] || fail "TrackBpm from the struct JSON: $(trackbpm), want 124.5"
[ "$("$FOHCTL" deck a Path)" = "$FOH_SESSION/tone.wav" ] || fail "deck a Path: $("$FOHCTL" deck a Path)"
"$FOHCTL" deck a load "$FOH_SESSION/tone.wav" --struct "$FOH_SESSION/tone.json" \
  --rekordbox "$FOH_SESSION/rekordbox.xml" || fail "fohctl deck a load --struct --rekordbox failed"
[ "$(trackbpm)" = 126 ] || fail "TrackBpm with Rekordbox: $(trackbpm), want its AverageBpm 126"
"$FOHCTL" deck a load "$FOH_SESSION/tone.wav" --struct "$FOH_SESSION/other.json" 2>"$FOH_SESSION/err"
[ $? -eq 1 ] && grep -q 'describes' "$FOH_SESSION/err" || fail "another track's struct JSON: $(cat "$FOH_SESSION/err")"
echo '{"path": "tone.wav", "bpm": "fast"}' >"$FOH_SESSION/bad.json"
"$FOHCTL" deck a load "$FOH_SESSION/tone.wav" --struct "$FOH_SESSION/bad.json" 2>/dev/null \
  && fail "a struct JSON with a string bpm was accepted"
[ "$(trackbpm)" = 126 ] || fail "a refused load changed TrackBpm: $(trackbpm)"

# An array argument as a comma-separated list: a group start of a and b.
"$FOHCTL" deck b Load "$FOH_SESSION/tone.wav" || fail "fohctl deck b Load failed"
"$FOHCTL" mixer StartGroup a,b 0 || fail "fohctl mixer StartGroup a,b 0 failed"
wait_for 3 deck_playing a || fail "StartGroup a,b: deck a does not play"
wait_for 3 deck_playing b || fail "StartGroup a,b: deck b does not play"
"$FOHCTL" mixer StartGroup a,q 0 2>/dev/null; [ $? -eq 1 ] || fail "StartGroup a,q was not refused by fohd"
"$FOHCTL" deck a Stop && "$FOHCTL" deck b Stop || fail "stopping the group failed"

# Reload: the file's deck and mixer keys reach the running decks.
wait_for 5 grep -q '^track-bpm=126' "$FOH_SESSION/foh.conf" || fail "TrackBpm was not saved"
cat >"$FOH_SESSION/foh.conf" <<CONF
[daemon]
channels = 0
[decks]
output = foh-test-sink
crossfader = 0.25
[deck.a]
gain = -6
stretch-method = rubberband
eq-mid-db = -80
CONF
"$FOHCTL" reload || fail "fohctl reload failed"
xf_quarter() { [ "$("$FOHCTL" mixer Crossfader)" = 0.25 ]; }   # it glides for 10 ms
wait_for 2 xf_quarter || fail "reload: Crossfader $("$FOHCTL" mixer Crossfader)"
[ "$("$FOHCTL" deck a Gain)" = -6 ] || fail "reload: deck a Gain $("$FOHCTL" deck a Gain)"
[ "$("$FOHCTL" deck a StretchMethod)" = rubberband ] || fail "reload: StretchMethod $("$FOHCTL" deck a StretchMethod)"
[ "$("$FOHCTL" deck a EqMidDb)" = -80 ] || fail "reload: EqMidDb $("$FOHCTL" deck a EqMidDb)"
[ "$(trackbpm)" = 0 ] || fail "reload: TrackBpm $(trackbpm), the file has none"
latency_reported() { within "$("$FOHCTL" deck a LatencySec)" 0.001 1; }
wait_for 3 latency_reported || fail "reload to rubberband: LatencySec $("$FOHCTL" deck a LatencySec)"
echo "ok: fohctl drives the decks and the mixer"
