#!/usr/bin/python3
"""A WebRTC listener of a Janus Streaming mountpoint, for foh's Janus relay
test: Janus's plain HTTP API (create, attach janus.plugin.streaming, watch,
start) and a GStreamer webrtcbin that answers Janus's offer and decodes
what it receives (python3-gi, gir1.2-gst-plugins-bad-1.0).

  janus_listener.py URL MOUNTPOINT SECONDS

Prints "HZ PEAK_DBFS" of the last second decoded after SECONDS of audio,
or exits non-zero when no audio arrives within 20 s."""
import json
import random
import sys
import threading
import time
import urllib.request

import gi
import numpy as np

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

RATE = 48000


def call(url, body):
    body = dict(body, transaction=str(random.getrandbits(48)))
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        m = json.load(r)
    if m.get("janus") == "error":
        raise SystemExit(f"FAIL: Janus refused {body}: {m}")
    return m


def poll(url, until, timeout=15):
    """Long-polls the session's events until one satisfies until."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with urllib.request.urlopen(f"{url}?maxev=1&rid={random.getrandbits(32)}", timeout=40) as r:
            m = json.load(r)
        if until(m):
            return m
    raise SystemExit("FAIL: no answer from Janus in time")


def main(base, mountpoint, seconds):
    Gst.init(None)
    loop = GLib.MainLoop()
    threading.Thread(target=loop.run, daemon=True).start()
    sid = call(base, {"janus": "create"})["data"]["id"]
    hid = call(f"{base}/{sid}", {"janus": "attach", "plugin": "janus.plugin.streaming"})["data"]["id"]
    # watch once the mountpoint has media (RTP in the last second)
    end = time.monotonic() + 15
    while True:
        info = call(f"{base}/{sid}/{hid}", {"janus": "message", "body": {"request": "info", "id": mountpoint}})
        media = info.get("plugindata", {}).get("data", {}).get("info", {}).get("media", [])
        if any(m.get("age_ms", 10 ** 9) < 1000 for m in media):
            break
        if time.monotonic() > end:
            raise SystemExit(f"FAIL: mountpoint {mountpoint} receives no RTP: {info}")
        time.sleep(0.2)
    call(f"{base}/{sid}/{hid}", {"janus": "message", "body": {"request": "watch", "id": mountpoint}})
    ev = poll(f"{base}/{sid}", lambda m: "jsep" in m or m.get("janus") == "hangup")
    if "jsep" not in ev:
        raise SystemExit(f"FAIL: watching mountpoint {mountpoint}: {ev}")

    pipe = Gst.Pipeline.new(None)
    webrtc = Gst.ElementFactory.make("webrtcbin")
    webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
    pipe.add(webrtc)
    lock = threading.Lock()
    state = {"x": np.zeros(0, dtype=np.float32), "n": 0}

    def on_sample(sink):
        buf = sink.emit("pull-sample").get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            x = np.frombuffer(info.data, dtype=np.float32).copy()
            buf.unmap(info)
            with lock:
                state["x"] = np.concatenate([state["x"], x])[-RATE:]
                state["n"] += len(x)
        return Gst.FlowReturn.OK

    def on_pad(_w, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        tail = Gst.parse_bin_from_description(
            "rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
            "audio/x-raw,format=F32LE,rate=48000,channels=1 ! "
            "appsink name=s emit-signals=true sync=false max-buffers=100 drop=true", True)
        pipe.add(tail)
        tail.sync_state_with_parent()
        tail.get_by_name("s").connect("new-sample", on_sample)
        pad.link(tail.get_static_pad("sink"))

    webrtc.connect("pad-added", on_pad)
    pipe.set_state(Gst.State.PLAYING)
    _, sdp = GstSdp.SDPMessage.new()
    GstSdp.sdp_message_parse_buffer(ev["jsep"]["sdp"].encode(), sdp)
    p = Gst.Promise.new()
    webrtc.emit("set-remote-description",
                GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp), p)
    p.wait()
    p = Gst.Promise.new()
    webrtc.emit("create-answer", None, p)
    p.wait()
    reply = p.get_reply()
    answer = reply.get_value("answer") if reply and reply.has_field("answer") else None
    if answer is None:
        raise SystemExit(f"FAIL: no answer to Janus's offer: {reply and reply.to_string()}\n"
                         f"{ev['jsep']['sdp']}")
    p = Gst.Promise.new()
    webrtc.emit("set-local-description", answer, p)
    p.wait()
    # the answer with every candidate in it: wait for gathering to end
    end = time.monotonic() + 10
    while (webrtc.get_property("ice-gathering-state") != GstWebRTC.WebRTCICEGatheringState.COMPLETE
           and time.monotonic() < end):
        time.sleep(0.05)
    desc = webrtc.get_property("local-description")
    local = desc.sdp.as_text() if desc else answer.sdp.as_text()
    call(f"{base}/{sid}/{hid}", {"janus": "message", "body": {"request": "start"},
                                 "jsep": {"type": "answer", "sdp": local}})
    call(f"{base}/{sid}/{hid}", {"janus": "trickle", "candidate": {"completed": True}})
    end = time.monotonic() + 20
    while state["n"] < RATE // 2:
        if time.monotonic() > end:
            p = Gst.Promise.new()
            webrtc.emit("get-stats", None, p)
            p.wait()
            st = p.get_reply().to_string() if p.get_reply() else ""
            raise SystemExit(f"FAIL: no audio from Janus after 20 s ({state['n']} samples; "
                             f"ICE {webrtc.get_property('ice-connection-state')}; "
                             f"{[x for x in st.split(',') if 'packets-received' in x or 'bytes-received' in x][:4]})")
        call(f"{base}/{sid}", {"janus": "keepalive"})
        time.sleep(0.2)
    time.sleep(seconds)
    with lock:
        x = state["x"].copy()
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spec[1:])) + 1
    print(f"{k * RATE / len(x):.1f} {20 * np.log10(np.max(np.abs(x)) + 1e-12):.1f}")
    call(f"{base}/{sid}", {"janus": "destroy"})
    pipe.set_state(Gst.State.NULL)


main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
