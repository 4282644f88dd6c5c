#!/usr/bin/python3
"""Browser side of foh's rooms tests: headless Debian chromium over the
DevTools protocol (tests/tools/cdp.py) with a WAV file as the publisher's
microphone, plus the checks that need Python (FFT of a recording, the
signalling socket spoken directly).

  rooms.py publish BASE ROOM KEY WAV OUTDIR   publisher page until live; writes
                                              OUTDIR/peer (its id) and waits for
                                              OUTDIR/stop before leaving
  rooms.py freq WAV                           prints the dominant frequency (numpy FFT)
  rooms.py wrongkey BASE ROOM KEY             a join with KEY must be refused WrongKey
"""
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


def main():
    cmd = sys.argv[1]
    if cmd == "publish":
        asyncio.run(publish(*sys.argv[2:7]))
    elif cmd == "freq":
        freq(sys.argv[2])
    elif cmd == "wrongkey":
        asyncio.run(wrongkey(*sys.argv[2:5]))
    else:
        raise SystemExit(__doc__)


main()
