#!/usr/bin/env bash
# The link manager (src/graph/links.c) links a pw_filter node that
# WirePlumber cannot link, by target name, and follows the graph:
#  - a stereo node: a sink as the Input captures its monitor (FL→FL,
#    FR→FR), the Output plays into a sink's playback ports; the recording of
#    the Output sink's monitor is the 750 Hz -12 dBFS peak programme played
#    into the Input sink (Goertzel share >= 0.95, -15.01 dBFS RMS = -12 -
#    3.01 for a sine, through a node that only copies);
#  - the Output sink vanishes: its links go, the Input's stay; it comes back
#    under the same name: linked again;
#  - the Input moved to a source: its capture ports, not a monitor, and the
#    old links go; unset: no links;
#  - the Output @DEFAULT@: the default sink, and the links move when
#    wpctl set-default makes another sink the default;
#  - a mono node: both monitor channels into input_MONO, output_MONO into
#    both playback channels, and its links are link.passive when asked.
# The expected link sets are written out here from those rules; pw-link -l
# and pw-dump (PipeWire's own view) are what is compared.
set -u
. "$FOH_TESTS/lib.sh"

# links_now: every link as "OUTPUT-PORT > INPUT-PORT", one a line.
links_now() {
  pw-link -l 2>/dev/null | awk '/^[^ ]/ { port = $0 } /\|->/ { sub(/.*\|-> /, ""); print port " > " $0 }'
}

# links_of NODE: the links from or to NODE's ports, sorted.
links_of() {
  links_now | grep -E "(^| > )$1:" | sort
}

# links_are NODE EXPECTED: NODE's links are exactly EXPECTED (lines, any order).
links_are() {
  [ "$(links_of "$1")" = "$(printf '%s\n' "$2" | sort)" ]
}

# expect_links NODE EXPECTED WHAT: waits for links_are, else fails.
expect_links() {
  wait_for 10 links_are "$1" "$2" || fail "$3: $1's links are
$(links_of "$1")
want
$2"
}

control() {
  printf '%s\n' "$@" >"$FOH_SESSION/$CTL.ctl"
  [ -z "$(pid_of "$CTL")" ] || kill -HUP "$(pid_of "$CTL")"
}

python3 "$FOH_TESTS/tools/audio.py" tone "$FOH_SESSION/prog.wav" 750 -12 2
null_sink prog-sink
null_sink out-sink

CTL=probe
control "input prog-sink" "output out-sink"
spawn probe "$LINKS_PROBE" probe 2 "$FOH_SESSION/probe.ctl"
stereo="prog-sink:monitor_FL > probe:input_FL
prog-sink:monitor_FR > probe:input_FR
probe:output_FL > out-sink:playback_FL
probe:output_FR > out-sink:playback_FR"
expect_links probe "$stereo" "stereo node, sinks as Input and Output"

# through_probe: plays the programme into prog-sink and records out-sink's
# monitor (rt-record: its data thread copies every cycle), then measures
# the 750 Hz share of the middle second.
through_probe() {
  spawn rec "$FOH_RECORD" out-sink "$FOH_SESSION/out.wav"
  wait_for 10 bash -c 'pw-link -l | grep -A1 "^foh-rec:input_" | grep -q "|<-"' \
    || fail "the recorder was not linked to out-sink"
  pw-play --target prog-sink "$FOH_SESSION/prog.wav" || fail "pw-play failed"
  stop rec
  read -r frac rms < <(python3 "$FOH_TESTS/tools/audio.py" tonematch "$FOH_SESSION/out.wav" 750 \
    --from 0.5 --to 1.5 --onset)
  note "through the linked node: 750 Hz share $frac, $rms dBFS RMS (the recorder missed $(rec_missed) graph cycles)"
}
# a recording that missed graph cycles (a loaded machine) is made once more
through_probe
if ! within "$frac" 0.95 1.01 && [ "$(rec_missed)" != 0 ]; then
  through_probe
fi
within "$frac" 0.95 1.01 || fail "the Output is not the programme (750 Hz share $frac)"
within "$rms" -15.3 -14.7 || fail "the programme came out at $rms dBFS RMS, want -15.01"

# The Output vanishes, the Input's links stay; it comes back, links again.
pw-cli destroy "$(node_id out-sink)" >/dev/null || fail "cannot destroy out-sink"
expect_links probe "prog-sink:monitor_FL > probe:input_FL
prog-sink:monitor_FR > probe:input_FR" "the Output sink vanished"
null_sink out-sink
expect_links probe "$stereo" "the Output sink came back"
alive probe || fail "the probe died"

# The Input moves to a source: its capture ports.
control "input foh-test-source" "output out-sink"
expect_links probe "foh-test-source:capture_FL > probe:input_FL
foh-test-source:capture_FR > probe:input_FR
probe:output_FL > out-sink:playback_FL
probe:output_FR > out-sink:playback_FR" "the Input moved to a source"

# No target: no links.
control "output out-sink"
expect_links probe "probe:output_FL > out-sink:playback_FL
probe:output_FR > out-sink:playback_FR" "the Input unset"

# The default sink, followed when it changes (wpctl: WirePlumber sets
# default.audio.sink).
control "output @DEFAULT@"
expect_links probe "probe:output_FL > foh-test-sink:playback_FL
probe:output_FR > foh-test-sink:playback_FR" "the Output is the default sink"
wpctl set-default "$(node_id out-sink)" || fail "wpctl cannot make out-sink the default"
expect_links probe "probe:output_FL > out-sink:playback_FL
probe:output_FR > out-sink:playback_FR" "the default sink changed to out-sink"
wpctl set-default "$(node_id foh-test-sink)" || fail "wpctl cannot make foh-test-sink the default"

# A mono node, passive links.
CTL=mprobe
control "input prog-sink" "output out-sink"
spawn mprobe "$LINKS_PROBE" --passive mprobe 1 "$FOH_SESSION/mprobe.ctl"
expect_links mprobe "prog-sink:monitor_FL > mprobe:input_MONO
prog-sink:monitor_FR > mprobe:input_MONO
mprobe:output_MONO > out-sink:playback_FL
mprobe:output_MONO > out-sink:playback_FR" "mono node"
passive=$(pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
names = {o["id"]: (o.get("info") or {}).get("props", {}).get("node.name")
         for o in objs if o.get("type", "").endswith(":Node")}
for o in objs:
    if not o.get("type", "").endswith(":Link"):
        continue
    info = o.get("info") or {}
    ends = (names.get(info.get("output-node-id")), names.get(info.get("input-node-id")))
    if "mprobe" in ends:
        print(str((info.get("props") or {}).get("link.passive")).lower())' | sort | uniq -c | xargs)
note "mprobe's links, link.passive: $passive"
[ "$passive" = "4 true" ] || fail "mprobe's links are not all passive: $passive"
# and probe's are not
passive=$(pw-dump 2>/dev/null | grep -c '"link.passive": true')
[ "$passive" -eq 4 ] || fail "$passive passive links in the graph, want mprobe's 4"

stop mprobe || fail "mprobe exited with status $?"
expect_links mprobe "" "mprobe ended"
stop probe || fail "probe exited with status $?"
wait_for 5 bash -c '! pw-link -l | grep -q "probe:"' || fail "the probe's links outlived it"
