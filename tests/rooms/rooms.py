#!/usr/bin/python3
"""Browser side of foh's rooms tests: headless Debian chromium over the
DevTools protocol (tests/tools/cdp.py) with a WAV file as the publisher's
microphone, plus the checks that need Python (FFT of a recording, the
signalling socket spoken directly).

  rooms.py publish BASE ROOM KEY WAV OUTDIR   publisher page until live; writes
                                              OUTDIR/peer (its id) and waits for
                                              OUTDIR/stop before leaving
  rooms.py freq WAV                           prints the dominant frequency (numpy FFT)
  rooms.py badmsgs BASE ROOM KEY              hostile messages refused by name
  rooms.py wrongkey BASE ROOM KEY             a join with KEY must be refused WrongKey
  rooms.py listen BASE ROOM KEY WAV CHANNEL   publisher and listener pages in one
                                              browser: the listener hears 1 kHz, the
                                              channel's Gain -6 dB shows at the
                                              listener, closing it empties the stats
  rooms.py clicks OUT.wav                     writes a click train (4 ms 2 kHz bursts
                                              300 to 700 ms apart, 10 s)
  rooms.py latency BASE ROOM KEY WAV N [NODE...]
                                              publisher and listener pages in one
                                              browser time the clicks of WAV; prints
                                              BENCH rooms-latency p50_ms p95_ms clicks;
                                              each NODE ("publisher": its room node)
                                              is tapped too, and the time of each
                                              stage printed
"""
import statistics
import subprocess
import time
import urllib.request
import asyncio
import json
import os
import sys

import numpy as np
import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from cdp import Browser  # noqa: E402


def chromium_args(wav):
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--autoplay-policy=no-user-gesture-required",
            "--disable-features=WebRtcHideLocalIpsWithMdns"]


async def page_until_live(b, url, timeout=30):
    page = await b.new_page()
    await page.goto(url)
    live = await page.wait_for("window.room && window.room.state === 'live'", timeout)
    if not live:
        state = await page.eval("JSON.stringify(window.room)")
        raise SystemExit(f"FAIL: {url} did not go live: {state}\n{page.console_errors}")
    return page


async def publish(base, room, key, wav, outdir):
    async with Browser(chromium_args(wav)) as b:
        page = await page_until_live(
            b, f"{base}/rooms/{room}?role=publisher&key={key}&autostart=1&ec=0&ns=0&agc=0")
        peer = await page.eval("window.room.peer")
        with open(os.path.join(outdir, "peer.tmp"), "w") as f:
            f.write(peer)
        os.rename(os.path.join(outdir, "peer.tmp"), os.path.join(outdir, "peer"))
        stop = os.path.join(outdir, "stop")
        for _ in range(1200):
            if os.path.exists(stop):
                break
            await asyncio.sleep(0.1)
        await page.eval("document.querySelector('#stop').click()")


def freq(path):
    import wave
    with wave.open(path, "rb") as w:
        ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    dt = {2: np.int16, 4: np.int32}[width]
    x = np.frombuffer(raw, dtype=dt).astype(np.float64).reshape(-1, ch)[:, 0]
    x = x[len(x) // 4:]			# skip the start (links settling)
    if len(x) < rate // 10 or np.max(np.abs(x)) == 0:
        print("0 -inf")
        return
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spec[1:])) + 1
    peak_db = 20 * np.log10(np.max(np.abs(x)) / (2 ** (8 * width - 1)))
    print(f"{k * rate / len(x):.1f} {peak_db:.1f}")


async def wrongkey(base, room, key):
    url = base.replace("http://", "ws://") + "/api/rooms/signal"
    async with websockets.connect(url, origin=base) as ws:
        await ws.send(json.dumps({"type": "join", "room": room, "role": "publisher", "key": key}))
        m = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if m.get("type") != "error" or m.get("error") != "org.foh.Web1.Error.WrongKey":
            raise SystemExit(f"FAIL: a wrong publish key got {m}")
        try:
            await asyncio.wait_for(ws.recv(), 5)
            raise SystemExit("FAIL: the socket stayed open after a wrong key")
        except websockets.ConnectionClosed:
            pass
    print("refused")


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


async def level(page, seconds=1.5):
    """Median RMS level (dBFS) the page's analyser reads over seconds."""
    vals = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        vals.append(await page.eval("window.room.level_db"))
        await asyncio.sleep(0.1)
    return statistics.median(vals)


async def wait_steady(page, timeout=15):
    """Waits until the listener hears 1 kHz at a level that holds still."""
    if not await page.wait_for("Math.abs(window.room.freq_hz - 1000) < 15 && window.room.level_db > -40",
                               timeout):
        state = await page.eval("JSON.stringify(window.room)")
        base = (await page.eval("location.origin"))
        raise SystemExit(f"FAIL: the listener does not hear 1 kHz: {state}\n"
                         f"{json.dumps(get_json(base + '/api/stats')['room_list'])}")
    last = await level(page, 1.0)
    for _ in range(10):
        now = await level(page, 1.0)
        if abs(now - last) < 0.3:
            return now
        last = now
    return last


def set_gain(channel, db):
    subprocess.run(["busctl", "--user", "--", "set-property", "org.foh.Foh1",
                    f"/org/foh/Foh1/channel/{channel}", "org.foh.Foh1.Channel", "Gain", "d",
                    str(db)], check=True)


async def listen(base, room, key, wav, channel):
    async with Browser(chromium_args(wav)) as b:
        await page_until_live(
            b, f"{base}/rooms/{room}?role=publisher&key={key}&autostart=1&ec=0&ns=0&agc=0")
        lis = await page_until_live(b, f"{base}/rooms/{room}?role=listener&autostart=1")
        l0 = await wait_steady(lis)
        freq_hz = await lis.eval("window.room.freq_hz")
        print(f"# listener: {freq_hz:.1f} Hz at {l0:.2f} dBFS RMS")
        set_gain(channel, -6)
        await asyncio.sleep(1.0)
        l1 = await wait_steady(lis)
        print(f"# channel {channel} Gain -6 dB: listener at {l1:.2f} dBFS RMS ({l1 - l0:+.2f} dB)")
        if abs((l1 - l0) + 6) > 1.0:
            raise SystemExit(f"FAIL: Gain -6 dB moved the listener's level by {l1 - l0:+.2f} dB")
        st = get_json(f"{base}/api/stats")
        if st["listeners"] != 1 or st["publishers"] != 1:
            raise SystemExit(f"FAIL: /api/stats counts {st['publishers']} publishers, "
                             f"{st['listeners']} listeners")
        peer = [p for r in st["room_list"] for p in r["peers"] if p["role"] == "listener"][0]
        print(f"# listener stats: {json.dumps(peer)}")
        t0 = time.monotonic()
        await b.close_page(lis)
        while get_json(f"{base}/api/stats")["listeners"] != 0:
            if time.monotonic() - t0 > 15:
                raise SystemExit("FAIL: a closed listener page stayed in the stats")
            await asyncio.sleep(0.1)
        print(f"# closed listener left the stats after {time.monotonic() - t0:.2f} s")


def click_times(seconds=10.0):
    """Click onsets (s): gaps of 300 to 700 ms drawn from a fixed seed, so
    no stretch of the train looks like another (latency is unambiguous up
    to 2 s)."""
    rng = np.random.default_rng(20)
    t, out = 0.2, []
    while t < seconds - 0.3:
        out.append(t)
        t += rng.uniform(0.3, 0.7)
    return out


def clicks(path, rate=48000, seconds=10.0):
    """A 4 ms Hann-shaped 2 kHz burst (peak -6 dBFS) at each click_times."""
    import wave
    x = np.zeros(int(seconds * rate))
    n = int(0.004 * rate)
    burst = 0.5 * np.hanning(n) * np.sin(2 * np.pi * 2000 * np.arange(n) / rate)
    for t in click_times(seconds):
        i = int(t * rate)
        x[i:i + n] = burst
    pcm = (np.repeat(x[:, None], 2, axis=1) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def match(pub, lis):
    """Latency of each listener click: the delay (0 to 2 s) most listener
    clicks agree on (10 ms bins), then per click the publisher click whose
    delay is nearest to it, kept when within 100 ms of it."""
    diffs = [(l, l - p) for l in lis for p in pub if 0 < l - p < 2000]
    if not diffs:
        return []
    bins = np.bincount([int(d // 10) for _, d in diffs])
    centre = (int(np.argmax(bins)) + 0.5) * 10
    out = []
    for l in lis:
        ds = [d for x, d in diffs if x == l]
        if ds:
            d = min(ds, key=lambda d: abs(d - centre))
            if abs(d - centre) < 100:
                out.append(d)
    return out


# Injected into a page: reads window.room.stream's audio track frame by
# frame (MediaStreamTrackProcessor, 10 ms AudioData) as the browser hands
# it out — for a publisher as its capture produces it, for a listener as
# its audio output pulls it from the jitter buffer — and stamps each click
# onset (|x| > 0.1 after 100 ms below 0.02) with the time that frame
# arrived, less the rest of the frame after the onset, as
# performance.timeOrigin + performance.now() (ms since the epoch: one clock
# for every page of the browser). A page that rejoins is followed.
TAP_JS = r"""(() => {
  window.clicks = [];
  let cur = null;
  const run = async (track) => {
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    let armed = false, quiet = 0, x = new Float32Array(0);
    for (;;) {
      const { value: f, done } = await reader.read();
      if (done || track !== cur) { if (f) f.close(); reader.cancel(); return; }
      const now = performance.now(), n = f.numberOfFrames;
      if (x.length !== n) x = new Float32Array(n);
      f.copyTo(x, { planeIndex: 0, format: "f32-planar" });
      for (let i = 0; i < n; i++) {
        const a = Math.abs(x[i]);
        if (armed && a > 0.1) {
          window.clicks.push(performance.timeOrigin + now - (n - i) / f.sampleRate * 1000);
          armed = false; quiet = 0;
        } else if (!armed) {
          if (a < 0.02) { if (++quiet > f.sampleRate / 10) armed = true; } else quiet = 0;
        }
      }
      f.close();
    }
  };
  const follow = () => {
    const t = window.room.stream && window.room.stream.getAudioTracks()[0];
    if (t && t !== cur) { cur = t; run(t); }
  };
  follow();
  setInterval(follow, 100);
  return true;
})()"""
window_clock = "performance.timeOrigin + performance.now() at frame arrival"


class NodeTap:
    """Stamps the click onsets a PipeWire node carries, on the wall clock
    (ms since the epoch, the clock the pages stamp with): a GStreamer
    pipewiresrc capturing the node, each buffer stamped on arrival less the
    rest of the buffer after the onset (so the stamp is good to about a
    graph cycle's wake-up). Same onset rule as TAP_JS."""

    def __init__(self, node):
        import gi
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
        Gst.init(None)
        self.node, self.clicks = node, []
        self.armed, self.quiet = False, 0
        self.pipe = Gst.parse_launch(
            f'pipewiresrc target-object="{node}" client-name=foh-test-tap always-copy=true '
            "! audioconvert ! audio/x-raw,format=F32LE,channels=1,rate=48000 "
            "! appsink name=s emit-signals=true sync=false")
        self.pipe.get_by_name("s").connect("new-sample", self.on_sample)
        self.Gst = Gst
        self.pipe.set_state(Gst.State.PLAYING)

    def on_sample(self, sink):
        now = time.time() * 1000.0
        buf = sink.emit("pull-sample").get_buffer()
        ok, info = buf.map(self.Gst.MapFlags.READ)
        if not ok:
            return self.Gst.FlowReturn.OK
        x = np.abs(np.frombuffer(info.data, dtype=np.float32))
        buf.unmap(info)
        n = len(x)
        if self.armed and x.max() <= 0.1:
            return self.Gst.FlowReturn.OK
        if not self.armed and x.max() < 0.02:
            self.quiet += n
            self.armed = self.quiet > 4800
            return self.Gst.FlowReturn.OK
        for i in range(n):
            if self.armed and x[i] > 0.1:
                self.clicks.append(now - (n - i) / 48.0)
                self.armed, self.quiet = False, 0
            elif not self.armed:
                if x[i] < 0.02:
                    self.quiet += 1
                    if self.quiet > 4800:
                        self.armed = True
                else:
                    self.quiet = 0
        return self.Gst.FlowReturn.OK

    def stop(self):
        self.pipe.set_state(self.Gst.State.NULL)


async def latency(base, room, key, wav, n, taps=()):
    """Mouth-to-ear: listener clicks matched to the publisher's (match).
    taps: PipeWire nodes on the way ("publisher" = the publisher's room
    node) whose click onsets are stamped too; each stage's p50 is printed
    (publisher → first tap → next tap ... → listener)."""
    async with Browser(chromium_args(wav)) as b:
        pub = await page_until_live(
            b, f"{base}/rooms/{room}?role=publisher&key={key}&autostart=1&ec=0&ns=0&agc=0")
        lis = await page_until_live(b, f"{base}/rooms/{room}?role=listener&autostart=1")
        for page in (pub, lis):
            if not await page.wait_for("!!window.room.stream", 15):
                raise SystemExit("FAIL: a page has no audio stream")
        # start-up transients pass (NetEq starts at 80 ms and comes down)
        await asyncio.sleep(float(os.environ.get("LAT_SETTLE_S", "3")))
        node = await pub.eval("window.room.node")
        tapped = [NodeTap(node if t == "publisher" else t) for t in taps]
        for page in (pub, lis):
            await page.eval(TAP_JS)
        end = time.monotonic() + n * 0.5 + 15
        lat = []
        while time.monotonic() < end:
            await asyncio.sleep(0.5)
            p = await pub.eval("window.clicks")
            ls = await lis.eval("window.clicks")
            lat = match(p, ls)
            if len(lat) >= n:
                break
        clock = window_clock
        jb = await lis.eval("window.room.stats.jitter_buffer_ms")
        st = await lis.eval("JSON.stringify(window.room.stats)")
        st = json.loads(st) if st else {}
        print(f"# listener's jitter buffer (chromium getStats, mean since start): {jb} ms, "
              f"target {st.get('jitter_target_ms')} ms, "
              f"concealment events {st.get('concealment_events')}, lost {st.get('packets_lost')}")
        if len(lat) < n:
            raise SystemExit(f"FAIL: {len(lat)} of {n} clicks heard "
                             f"(publisher {len(p)}, listener {len(ls)}: "
                             f"{[round(x - p[0]) for x in p[:12]]} {[round(x - p[0]) for x in ls[:12]]}, "
                             f"clock {clock}, listener {await lis.eval('JSON.stringify(window.room)')})")
        for t in tapped:
            t.stop()
        points = [("publisher page", p)] + [(t.node, t.clicks) for t in tapped] + [("listener page", ls)]
        for (a, ca), (z, cz) in zip(points, points[1:]):
            d = match(ca, cz)
            print(f"# stage {a} -> {z}: p50 {np.percentile(d, 50):.1f} ms over {len(d)} clicks"
                  if d else f"# stage {a} -> {z}: no clicks matched ({len(ca)}, {len(cz)})")
        lat = np.array(lat[:n])
        print(f"# latencies ms: {' '.join(f'{x:.1f}' for x in lat)} (clock: {clock})")
        print(f"BENCH rooms-latency p50_ms={np.percentile(lat, 50):.1f} "
              f"p95_ms={np.percentile(lat, 95):.1f} clicks={n}")


async def badmsgs(base, room, key):
    """Hostile signalling: each refused by name, the socket still usable."""
    url = base.replace("http://", "ws://") + "/api/rooms/signal"
    cases = [
        ("not json", "BadMessage"),
        (json.dumps([1, 2]), "BadMessage"),
        (json.dumps({"type": 5}), "BadMessage"),
        (json.dumps({"type": "dance"}), "BadMessage"),
        (json.dumps({"type": "offer", "sdp": "v=0"}), "NotJoined"),
        (json.dumps({"type": "candidate", "candidate": "candidate:1", "sdpMLineIndex": 0}), "NotJoined"),
    ]
    async with websockets.connect(url, origin=base) as ws:
        for text, want in cases:
            await ws.send(text)
            m = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if m.get("error", "").rsplit(".", 1)[-1] != want:
                raise SystemExit(f"FAIL: {text!r} got {m}, not {want}")
        await ws.send(json.dumps({"type": "join", "room": room, "role": "publisher", "key": key}))
        m = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if m.get("type") != "joined":
            raise SystemExit(f"FAIL: the join after refusals got {m}")
        for text, want in [
                (json.dumps({"type": "offer", "sdp": "x" * 20000}), "BadMessage"),
                (json.dumps({"type": "offer", "sdp": "not sdp"}), "BadMessage"),
                (json.dumps({"type": "answer", "sdp": "v=0"}), "BadMessage"),
                (json.dumps({"type": "candidate", "candidate": "evil\r\na=x", "sdpMLineIndex": 0}), "BadMessage"),
                (json.dumps({"type": "candidate", "candidate": "candidate:1", "sdpMLineIndex": 99}), "BadMessage"),
                (json.dumps({"type": "join", "room": room, "role": "listener"}), "BadMessage")]:
            await ws.send(text)
            m = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if m.get("error", "").rsplit(".", 1)[-1] != want:
                raise SystemExit(f"FAIL: {text[:60]!r} got {m}, not {want}")
        await ws.send(json.dumps({"type": "leave"}))
    print("refused")


def main():
    cmd = sys.argv[1]
    if cmd == "publish":
        asyncio.run(publish(*sys.argv[2:7]))
    elif cmd == "freq":
        freq(sys.argv[2])
    elif cmd == "listen":
        asyncio.run(listen(*sys.argv[2:6], int(sys.argv[6])))
    elif cmd == "clicks":
        clicks(sys.argv[2])
    elif cmd == "latency":
        asyncio.run(latency(*sys.argv[2:6], int(sys.argv[6]), sys.argv[7:]))
    elif cmd == "badmsgs":
        asyncio.run(badmsgs(*sys.argv[2:5]))
    elif cmd == "wrongkey":
        asyncio.run(wrongkey(*sys.argv[2:5]))
    else:
        raise SystemExit(__doc__)


main()
