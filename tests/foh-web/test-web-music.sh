#!/usr/bin/env bash
# The music folder ([web] music-dir): GET /api/v1/music lists the audio
# files under it (relative, sorted; hidden entries, other files and
# symlinks leading out left out) and a deck's Load through foh-web takes
# only those — "..", absolute paths elsewhere, symlinks out and non-audio
# files are refused with NotInMusicFolder and the deck keeps its track.
# Without a folder the listing says so and every Load is refused.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_TESTS/foh-web/web.sh"

printf '[daemon]\nchannels = 1\n' >"$FOH_SESSION/foh.conf"
start_fohd --config "$FOH_SESSION/foh.conf"
deck_path() {
  busctl --user --json=short get-property org.foh.Foh1 /org/foh/Foh1/deck/a org.foh.Foh1.Deck Path \
    | $PY -c 'import json, sys; print(json.load(sys.stdin)["data"])'
}

music=$FOH_SESSION/music
out=$FOH_SESSION/outside
mkdir -p "$music/set 1/deep" "$out/dir"
tone "$music/a.wav" 440 -18 0.5
tone "$music/set 1/b.WAV" 440 -18 0.5
tone "$music/set 1/deep/c.flac" 440 -18 0.5 2>/dev/null || cp "$music/a.wav" "$music/set 1/deep/c.flac"
tone "$music/.hidden.wav" 440 -18 0.5
tone "$out/x.wav" 440 -18 0.5
cp "$out/x.wav" "$out/dir/y.wav"
echo notes >"$music/notes.txt"
ln -s "$out/x.wav" "$music/out.wav"
ln -s "$out/dir" "$music/outdir"
ln -s "$music/a.wav" "$music/set 1/in.wav"

# no folder configured: an empty listing that says why, and no loading
start_web
expect_status 200 GET "$BASE/api/v1/music"
[ "$(json 'j["dir"] is None and j["files"] == [] and "music-dir" in j["message"]')" = True ] \
  || fail "without a music folder the listing does not say so: $(cat "$FOH_SESSION/http.body")"
expect_status 403 POST "$BASE/api/v1/deck/a/Load" "{\"path\": \"$music/a.wav\"}"
[ "$(json 'j["error"]')" = org.foh.Web1.Error.NotInMusicFolder ] || fail "no NotInMusicFolder name"
stop foh-web

printf '[web]\nlisten = 127.0.0.1:0\nmusic-dir = %s\n' "$music" >"$FOH_SESSION/foh-web.conf"
start_web
expect_status 200 GET "$BASE/api/v1/music"
got=$(json '"|".join(f["path"] for f in j["files"])')
[ "$got" = "a.wav|set 1/b.WAV|set 1/deep/c.flac|set 1/in.wav" ] || fail "the listing is '$got'"
[ "$(json 'j["files"][0]["size"] == '"$(stat -c %s "$music/a.wav")"' and j["truncated"] is False')" = True ] \
  || fail "sizes or truncated wrong: $(cat "$FOH_SESSION/http.body")"

# a listed file loads (relative to the folder; fohd gets the real path)
expect_status 200 POST "$BASE/api/v1/deck/a/Load" '{"path": "set 1/b.WAV"}'
[ "$(deck_path)" = "$music/set 1/b.WAV" ] || fail "deck a holds '$(deck_path)' after loading set 1/b.WAV"
expect_status 200 POST "$BASE/api/v1/deck/a/Load" "[\"$music/a.wav\"]"
[ "$(deck_path)" = "$music/a.wav" ] || fail "an absolute path inside the folder did not load"

# everything else is refused and the deck keeps a.wav
before=$(web_stat refused_path)
for p in "../outside/x.wav" "$out/x.wav" "out.wav" "outdir/y.wav" "notes.txt" "set 1" "/etc/passwd" "" "nope.wav"; do
  expect_status 403 POST "$BASE/api/v1/deck/a/Load" "{\"path\": \"$p\"}"
  [ "$(json 'j["error"]')" = org.foh.Web1.Error.NotInMusicFolder ] || fail "'$p': $(cat "$FOH_SESSION/http.body")"
done
expect_status 403 POST "$BASE/api/v1/deck/a/Cue" '{"path": "../outside/x.wav", "start_seconds": 0}'
expect_status 400 POST "$BASE/api/v1/deck/a/Load" '{"path": 5}'
[ "$(deck_path)" = "$music/a.wav" ] || fail "a refused load changed the deck: $(deck_path)"
[ "$(web_stat refused_path)" -ge $((before + 11)) ] || fail "refusals are not counted as refused_path"

# a non-absolute music-dir is a config error
printf '[web]\nmusic-dir = music\n' >"$FOH_SESSION/bad.conf"
"$FOH_WEB" --config "$FOH_SESSION/bad.conf" 2>"$FOH_SESSION/bad.err"
[ $? = 2 ] && grep -q 'music-dir' "$FOH_SESSION/bad.err" || fail "a relative music-dir was accepted"
note "music ok"
