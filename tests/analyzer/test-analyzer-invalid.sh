#!/usr/bin/env bash
# Every invalid D-Bus input to org.foh.Foh1.Analyzer is refused with
# org.foh.Foh1.Error.InvalidArgument (a missing destination or preset with
# .NotFound) and changes nothing: after each refusal every setting (GetAll
# without the live values and diagnostics — so Bands, Destinations, Source
# and all the properties) equals what it was before. Calls go through gdbus,
# which shows the error's name. Then presets: bad names ("/", "..", 65
# characters, "main", empty) are refused by SavePreset, LoadPreset and
# DeletePreset and nothing appears under $XDG_CONFIG_HOME; a good name
# saves, lists, loads (bringing the saved settings back, leaving Source and
# Destinations alone) and deletes.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

an_conf "$FOH_SESSION/foh.conf" 9000
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 prop_is PipeWireConnected true || fail "fohd is not connected to PipeWire"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
rate=$(prop SampleRate)
[ "$rate" = 48000 ] || note "sample rate $rate (the limits below assume 48000)"

# gcall METHOD ARGS...: gdbus call on the analyzer object (GVariant text
# args; after "--", so that negative numbers are not taken for options).
gcall() {
  gdbus call --session --dest org.foh.Foh1 --object-path $AN_PATH --method "$1" -- "${@:2}"
}

refusals=0
state=$(an_state) || fail "cannot read the analyzer's settings: $state"
# refused ERROR METHOD ARGS...: the call fails with org.foh.Foh1.Error.ERROR
# and leaves every setting as it was ($state, which a successful change
# must refresh).
refused() {
  local want=$1 before=$state out after
  shift
  if out=$(gcall "$@" 2>&1); then
    fail "accepted: $*"
  fi
  case "$out" in
    *"org.foh.Foh1.Error.$want:"*) ;;
    *) fail "$*: want org.foh.Foh1.Error.$want, got: $out" ;;
  esac
  after=$(an_state)
  [ "$after" = "$before" ] || fail "refused $* but the settings changed from: $before; to: $after"
  refusals=$((refusals + 1))
}

# bad_prop PROPERTY VALUE...: setting PROPERTY to each VALUE (GVariant text) is refused.
bad_prop() {
  local p=$1 v
  shift
  for v in "$@"; do
    refused InvalidArgument org.freedesktop.DBus.Properties.Set $AN_IFACE "$p" "<$v>"
  done
}

# --- SetBand: lo < 20, hi <= lo + 50, hi > 0.45 sr, unknown band, NaN, inf
for args in "low 19.9 184.0" "low 0.0 184.0" "low -100.0 184.0" \
            "mid 400.0 450.0" "mid 400.0 449.0" "mid 2000.0 1000.0" \
            "high 2944.0 21600.1" "high 2944.0 24000.0" "high 21560.0 21600.0" \
            "bass 100.0 200.0" "Low 88.0 184.0" "'' 88.0 184.0" \
            "mid nan 1760.0" "mid 304.0 nan" "mid inf 1760.0" "mid 304.0 inf" "mid -inf 1760.0"; do
  eval "set -- $args"
  refused InvalidArgument $AN_IFACE.SetBand "'$1'" "$2" "$3"
done
# the edges themselves: hi = lo + 50 + a little and hi = 0.45 sr are allowed
gcall $AN_IFACE.SetBand "'mid'" 400.0 450.5 >/dev/null || fail "SetBand mid 400 450.5 was refused"
gcall $AN_IFACE.SetBand "'high'" 2944.0 21600.0 >/dev/null || fail "SetBand high 2944 21600 was refused"
gcall $AN_IFACE.SetBand "'mid'" 304.0 1760.0 >/dev/null || fail "SetBand mid 304 1760 was refused"
gcall $AN_IFACE.SetBand "'high'" 2944.0 13952.0 >/dev/null || fail "SetBand high 2944 13952 was refused"
[ "$(an_state)" = "$state" ] || fail "the settings differ after setting the bands back"

# --- smoothing taus [0.005, 2] s
for p in LowAttack MidAttack HighAttack LowRelease MidRelease HighRelease; do
  bad_prop "$p" 0.0049 2.01 0.0 -1.0 nan inf
done
# --- auto-scaler
bad_prop AutoscaleAttack 0.0009 1.01 nan
bad_prop AutoscaleRelease 4.9 300.5 nan
bad_prop NoiseFloor -0.001 0.11 nan inf
bad_prop Strength -0.01 1.01 nan
# --- FFT
bad_prop FftBins "uint32 7" "uint32 1025" "uint32 0"
bad_prop PeakSmear 3.1 -0.1 nan
bad_prop FftWindow "uint32 1000" "uint32 128" "uint32 16384" "uint32 0"
bad_prop FftHop "uint32 63" "uint32 2048"
bad_prop FftMinHz 9.9 1000.5 nan
bad_prop FilterOrder "uint32 0" "uint32 9"
# --- Source: a missing node, a missing channel, not quite a channel
bad_prop Source "'no-such-node'" "'channel/99'" "'channel/0'" "'channel/1x'" "'channel/'"

# --- destinations: names, no port, port 0 or too big, garbage, more than 16
for d in example.org:9000 localhost:9000 1.2.3.4 1.2.3.4:0 1.2.3.4:65536 1.2.3.4:-1 \
         :9000 1.2.3:9000 "" "[::1]" "1.2.3.4:9000,5.6.7.8:9000" \
         0.0.0.0:9000 255.255.255.255:9000 239.1.2.3:9000 "[::]:9000" "[ff02::1]:9000" \
         "1.2.3.4:9000 bogus" "1.2.3.4:9000 fft raw" "fft 1.2.3.4:9000" "1.2.3.4:9000 fft,5.6.7.8:9000"; do
  refused InvalidArgument $AN_IFACE.AddDestination "'$d'"
done
refused InvalidArgument $AN_IFACE.RemoveDestination "'127.0.0.1:9000 bogus'"
# options: AddDestination of an address already there replaces its options
# (written in a fixed order); RemoveDestination matches the address
ancall AddDestination s "127.0.0.1:9000  lmh-raw fft"
[ "$(anprop Destinations)" = '1 "127.0.0.1:9000 fft lmh-raw"' ] || fail "options: $(anprop Destinations)"
ancall AddDestination s "127.0.0.1:9000"
[ "$(anprop Destinations)" = '1 "127.0.0.1:9000"' ] || fail "options not dropped: $(anprop Destinations)"
ancall AddDestination s "127.0.0.1:9003 fft"
ancall RemoveDestination s "127.0.0.1:9003"
[ "$(anprop Destinations)" = '1 "127.0.0.1:9000"' ] || fail "RemoveDestination by address: $(anprop Destinations)"
# "web" (foh-web's feed): one at a time, a new one replaces the last
ancall AddDestination s "127.0.0.1:9004 web"
ancall AddDestination s "127.0.0.1:9005 lmh-raw web"
[ "$(anprop Destinations)" = '2 "127.0.0.1:9000" "127.0.0.1:9005 lmh-raw web"' ] \
  || fail "a second web destination did not replace the first: $(anprop Destinations)"
ancall RemoveDestination s "127.0.0.1:9005"
state=$(an_state)
# at most 16: fill up to 16, the 17th is refused, then back to the one
for i in $(seq 1 15); do
  ancall AddDestination s "127.0.0.1:$((20000 + i))"
done
state=$(an_state)
refused InvalidArgument $AN_IFACE.AddDestination "'127.0.0.1:20016'"
for i in $(seq 1 15); do
  ancall RemoveDestination s "127.0.0.1:$((20000 + i))"
done
state=$(an_state)
[ "$(anprop Destinations)" = '1 "127.0.0.1:9000"' ] || fail "Destinations: $(anprop Destinations)"
refused NotFound $AN_IFACE.RemoveDestination "'127.0.0.1:9001'"
refused NotFound $AN_IFACE.RemoveDestination "'10.0.0.1:9000'"
note "$refusals invalid inputs refused with nothing changed"

# --- presets
# config_files: every file under $XDG_CONFIG_HOME but PipeWire's and WirePlumber's.
config_files() {
  find "$XDG_CONFIG_HOME" -mindepth 1 -not -path "$XDG_CONFIG_HOME/pipewire*" \
    -not -path "$XDG_CONFIG_HOME/wireplumber*" | sort
}
files_before=$(config_files)
long=$(printf 'a%.0s' $(seq 1 65))
for m in SavePreset LoadPreset DeletePreset; do
  for name in "a/b" "/tmp/x" ".." "../../foh" "." "$long" main MAIN Main "" "a.b" "tab	x" "é"; do
    refused InvalidArgument "$AN_IFACE.$m" "'$name'"
  done
done
[ "$(config_files)" = "$files_before" ] \
  || fail "refused preset names left files behind: $(config_files)"
presets=$XDG_CONFIG_HOME/foh/presets
[ ! -e "$presets" ] || [ -z "$(ls -A "$presets")" ] || fail "files in $presets: $(ls -A "$presets")"
[ "$(anprop Destinations)" = '1 "127.0.0.1:9000"' ] || fail "Destinations changed: $(anprop Destinations)"

refused NotFound $AN_IFACE.LoadPreset "'never saved'"
refused NotFound $AN_IFACE.DeletePreset "'never saved'"

name="Club night_1-b"
anset Strength d 0.5
anset LowAttack d 0.02
anset FftBins u 64
ancall SetBand sdd low 60 150
saved=$(an_state)
ancall SavePreset s "$name"
[ -f "$presets/analyzer-$name.conf" ] || fail "no $presets/analyzer-$name.conf after SavePreset"
grep -q '^strength=0.5$' "$presets/analyzer-$name.conf" || fail "the preset file lacks strength=0.5"
! grep -qE '^(source|destinations)=' "$presets/analyzer-$name.conf" \
  || fail "the preset holds source or destinations"
[ "$(busctl --user call org.foh.Foh1 $AN_PATH $AN_IFACE ListPresets)" = "as 1 \"$name\"" ] \
  || fail "ListPresets: $(busctl --user call org.foh.Foh1 $AN_PATH $AN_IFACE ListPresets)"
long64=$(printf 'b%.0s' $(seq 1 64))
ancall SavePreset s "$long64"
ancall DeletePreset s "$long64"

anset Strength d 0.9
anset LowAttack d 0.1
anset FftBins u 256
ancall SetBand sdd low 100 200
ancall AddDestination s 127.0.0.1:9002
[ "$(an_state)" != "$saved" ] || fail "the settings did not change"
ancall LoadPreset s "$name"
[ "$(anprop Strength)" = 0.5 ] || fail "Strength is $(anprop Strength) after LoadPreset, saved 0.5"
[ "$(anprop FftBins)" = 64 ] || fail "FftBins is $(anprop FftBins) after LoadPreset, saved 64"
[ "$(anprop Bands)" = '3 "low" 60 150 "mid" 304 1760 "high" 2944 13952' ] \
  || fail "Bands is $(anprop Bands) after LoadPreset"
[ "$(anprop Destinations)" = '2 "127.0.0.1:9000" "127.0.0.1:9002"' ] \
  || fail "LoadPreset changed Destinations: $(anprop Destinations)"
[ "$(an_state)" = "${saved% \"Destinations\" as *} \"Destinations\" as 2 \"127.0.0.1:9000\" \"127.0.0.1:9002\"" ] \
  || fail "LoadPreset did not bring every saved setting back: saved $saved; now $(an_state)"
ancall DeletePreset s "$name"
[ ! -e "$presets/analyzer-$name.conf" ] || fail "the preset file is still there after DeletePreset"
[ "$(busctl --user call org.foh.Foh1 $AN_PATH $AN_IFACE ListPresets)" = "as 0" ] \
  || fail "ListPresets after DeletePreset: $(busctl --user call org.foh.Foh1 $AN_PATH $AN_IFACE ListPresets)"
state=$(an_state)
refused NotFound $AN_IFACE.LoadPreset "'$name'"
refused NotFound $AN_IFACE.DeletePreset "'$name'"
echo "ok: $refusals invalid inputs refused, nothing changed; a preset saves, lists, loads and deletes"
