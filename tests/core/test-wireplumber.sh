#!/usr/bin/env bash
# foh's WirePlumber drop-in (conf/wireplumber/main.lua.d/51-foh.lua, put in
# place by session.sh): WirePlumber links channel 1 from its configured
# source to its configured sink, channel 2 (no output configured) to the
# default sink, the decks' mix (no output configured) to the default sink,
# and the analyzer to its source — and nothing else — even
# when restore-stream remembers a volume of 0.25 and another sink for foh's
# streams, as it does after someone once moved them in pavucontrol. Without
# the drop-in WirePlumber restores both (FOH_WP_DROPIN=0 shows it), so this
# fails without it.
set -u
. "$FOH_TESTS/lib.sh"

# What a user's restore-stream state looks like after turning a foh stream
# down to 0.25 and moving it to another sink. restore-stream keys streams by
# media.role, and every foh stream has role Production.
stop wireplumber
mkdir -p "$XDG_STATE_HOME/wireplumber"
key='Output/Audio:media.role:Production'
cat >"$XDG_STATE_HOME/wireplumber/restore-stream" <<STATE
[restore-stream]
$key:volume=0.25
$key:channelVolumes=0.25;0.25;
$key:channelMap=FL;FR;
$key:target=foh-test-sink-2
STATE
start_wireplumber
pw-cli create-node adapter '{ factory.name = support.null-audio-sink
  node.name = foh-test-sink-2 media.class = Audio/Sink
  audio.position = [ FL FR ] object.linger = true }' >/dev/null \
  || fail "could not create the second sink"

cat >"$FOH_SESSION/foh.conf" <<'CONF'
[daemon]
channels = 2
[channel.1]
input = foh-test-source
output = foh-test-sink
[analyzer]
source = foh-test-source
CONF
start_fohd --config "$FOH_SESSION/foh.conf"

# Every link that touches a foh node, as "out-node:port > in-node:port".
foh_links() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
nodes, ports = {}, {}
for o in objs:
    props = (o.get("info") or {}).get("props") or {}
    if o["type"].endswith(":Node"):
        nodes[o["id"]] = props.get("node.name")
    elif o["type"].endswith(":Port"):
        ports[o["id"]] = (props.get("node.id"), props.get("port.name"))
out = set()
for o in objs:
    if not o["type"].endswith(":Link"):
        continue
    i = o["info"]
    (on, op), (inn, ip) = ports[i["output-port-id"]], ports[i["input-port-id"]]
    a, b = nodes.get(on, "?"), nodes.get(inn, "?")
    if a.startswith("foh.") or b.startswith("foh."):
        out.add("%s:%s > %s:%s" % (a, op, b, ip))
print("\n".join(sorted(out)))'
}

expected=$(sort <<'LINKS'
foh-test-source:capture_FL > foh.ch1.capture:input_FL
foh-test-source:capture_FR > foh.ch1.capture:input_FR
foh.ch1.playback:output_FL > foh-test-sink:playback_FL
foh.ch1.playback:output_FR > foh-test-sink:playback_FR
foh.ch2.playback:output_FL > foh-test-sink:playback_FL
foh.ch2.playback:output_FR > foh-test-sink:playback_FR
foh-test-source:capture_FL > foh.analyzer:input_FL
foh-test-source:capture_FR > foh.analyzer:input_FR
foh.decks:output_FL > foh-test-sink:playback_FL
foh.decks:output_FR > foh-test-sink:playback_FR
LINKS
)
links_as_expected() {
  [ "$(foh_links)" = "$expected" ]
}
wait_for 10 links_as_expected \
  || fail "WirePlumber's links are not the configured ones:
$(foh_links)
want:
$expected"

# No remembered volume on any foh node: every channel volume is still 1.
foh_volumes() {
  pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    props = (o.get("info") or {}).get("props") or {}
    name = props.get("node.name", "")
    if o["type"].endswith(":Node") and name.startswith("foh."):
        for p in (o["info"].get("params") or {}).get("Props") or []:
            if "channelVolumes" in p:
                print(name, " ".join("%g" % v for v in p["channelVolumes"]))'
}
vols=$(foh_volumes)
[ -n "$vols" ] || fail "no foh node reports its channel volumes"
echo "$vols"
echo "$vols" | awk '{ for (i = 2; i <= NF; i++) if ($i != 1) bad = 1 } END { exit bad }' \
  || fail "WirePlumber restored a volume onto a foh node:
$vols"
echo "ok: WirePlumber routes foh's nodes to their configured targets"
