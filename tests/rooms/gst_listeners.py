#!/usr/bin/python3
"""N room listeners in one process, each a GStreamer webrtcbin client
(python3-gi, gir1.2-gst-plugins-bad-1.0) that answers foh's offer on
/api/rooms/signal and decodes what it receives — lighter than N Chromium
pages on a 2-core machine.

  gst_listeners.py BASE ROOM N SECONDS [KEY]

Joins N listeners, waits until each decodes audio, keeps them SECONDS more,
then prints one line per listener: "listener I HZ PEAK_DBFS" (dominant
frequency and peak of the last second it decoded), and exits non-zero when
one never connected. A file BASE-less "ready" marker is printed as
"# all N listening" once every listener decodes audio (benchmarks measure
from there)."""
import asyncio
import json
import sys
import threading

import gi
import numpy as np
import websockets

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp, GstSdp, GstWebRTC  # noqa: E402

RATE = 48000
# The enum values the streaming threads use, looked up once here, on the
# main thread: PyGObject loads a type's attributes lazily and not
# thread-safely (CI: "type object 'PadDirection' has no attribute 'SRC'"
# in two listeners' pad-added at once, which then never decoded).
PAD_SRC = Gst.PadDirection.SRC
MAP_READ = Gst.MapFlags.READ
FLOW_OK = Gst.FlowReturn.OK
PARSE_BIN = Gst.parse_bin_from_description


class Listener:
    def __init__(self, i, base, room, key):
        self.i, self.base, self.room, self.key = i, base, room, key
        self.pipe = Gst.Pipeline.new(None)
        self.webrtc = Gst.ElementFactory.make("webrtcbin")
        self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.webrtc.set_property("latency", 40)
        self.pipe.add(self.webrtc)
        caps = Gst.caps_from_string(
            "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=96")
        self.webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)
        self.sink = None
        self.lock = threading.Lock()
        self.samples = np.zeros(0, dtype=np.float32)
        self.decoded = 0

    def on_pad(self, _webrtc, pad):
        if pad.get_direction() != PAD_SRC:
            return
        tail = PARSE_BIN(
            "rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
            "audio/x-raw,format=F32LE,rate=48000,channels=1 ! "
            "appsink name=s emit-signals=true sync=false max-buffers=100 drop=true", True)
        self.pipe.add(tail)
        tail.sync_state_with_parent()
        self.sink = tail.get_by_name("s")
        self.sink.connect("new-sample", self.on_sample)
        pad.link(tail.get_static_pad("sink"))

    def on_sample(self, sink):
        s = sink.emit("pull-sample")
        buf = s.get_buffer()
        ok, info = buf.map(MAP_READ)
        if ok:
            x = np.frombuffer(info.data, dtype=np.float32).copy()
            buf.unmap(info)
            with self.lock:
                self.samples = np.concatenate([self.samples, x])[-RATE:]
                self.decoded += len(x)
        return FLOW_OK

    def spectrum(self):
        with self.lock:
            x = self.samples.copy()
        if len(x) < RATE // 4 or np.max(np.abs(x)) == 0:
            return 0.0, float("-inf")
        spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
        k = int(np.argmax(spec[1:])) + 1
        return k * RATE / len(x), 20 * np.log10(np.max(np.abs(x)))

    async def run(self, stop):
        loop = asyncio.get_running_loop()
        url = self.base.replace("http://", "ws://") + "/api/rooms/signal"
        async with websockets.connect(url, origin=self.base, max_size=1 << 20) as ws:
            def on_candidate(_w, mline, cand):
                loop.call_soon_threadsafe(asyncio.ensure_future, ws.send(json.dumps(
                    {"type": "candidate", "candidate": cand, "sdpMLineIndex": mline})))
            self.webrtc.connect("on-ice-candidate", on_candidate)
            self.webrtc.connect("pad-added", self.on_pad)
            self.pipe.set_state(Gst.State.PLAYING)
            msg = {"type": "join", "room": self.room, "role": "listener"}
            if self.key:
                msg["key"] = self.key
            await ws.send(json.dumps(msg))
            reader = asyncio.ensure_future(self.read(ws, loop))
            await stop.wait()
            reader.cancel()
            await ws.send(json.dumps({"type": "leave"}))
        self.pipe.set_state(Gst.State.NULL)

    async def read(self, ws, loop):
        async for raw in ws:
            m = json.loads(raw)
            if m["type"] == "offer":
                await loop.run_in_executor(None, self.answer, m["sdp"])
                await ws.send(json.dumps({"type": "answer", "sdp": self.local_sdp}))
            elif m["type"] == "candidate":
                self.webrtc.emit("add-ice-candidate", m["sdpMLineIndex"], m["candidate"])
            elif m["type"] == "error":
                raise SystemExit(f"listener {self.i}: {m}")

    def answer(self, sdp_text):
        # the pattern of gst-examples' webrtc_sendrecv.py (new_from_text's
        # message is freed twice by PyGObject)
        _, sdp = GstSdp.SDPMessage.new()
        GstSdp.sdp_message_parse_buffer(bytes(sdp_text.encode()), sdp)
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
        p = Gst.Promise.new()
        self.webrtc.emit("set-remote-description", offer, p)
        p.wait()
        p = Gst.Promise.new()
        self.webrtc.emit("create-answer", None, p)
        p.wait()
        reply = p.get_reply()
        answer = reply.get_value("answer") if reply.has_field("answer") else None
        if answer is None or answer.sdp is None:
            raise SystemExit(f"listener {self.i}: no answer: {reply.to_string()}")
        p = Gst.Promise.new()
        self.webrtc.emit("set-local-description", answer, p)
        p.wait()
        self.local_sdp = answer.sdp.as_text()


async def main(base, room, n, seconds, key):
    Gst.init(None)
    stop = asyncio.Event()
    ls = [Listener(i, base, room, key) for i in range(n)]
    tasks = [asyncio.ensure_future(l.run(stop)) for l in ls]
    loop = asyncio.get_running_loop()
    end = loop.time() + 20
    while any(l.decoded < RATE // 2 for l in ls):
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()
        if loop.time() > end:
            bad = [l.i for l in ls if l.decoded < RATE // 2]
            import urllib.request
            with urllib.request.urlopen(base + "/api/stats") as r:
                print(r.read().decode(), file=sys.stderr)
            raise SystemExit(f"FAIL: listeners {bad} decode no audio after 20 s")
        await asyncio.sleep(0.1)
    print(f"# all {n} listening", flush=True)
    await asyncio.sleep(seconds)
    for l in ls:
        hz, peak = l.spectrum()
        print(f"listener {l.i} {hz:.1f} {peak:.1f}", flush=True)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)


asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
                 sys.argv[5] if len(sys.argv) > 5 else ""))
