"""Checks of the feature-server personality (ws://127.0.0.1:8765), run by
test-web-feature.sh with Debian's python3-websockets:
  fft-match UDP_PORT SECONDS  binary WS frames against /audio/fft datagrams
                              received on UDP_PORT (an analyzer destination):
                              every frame's floats are some datagram's floats
  bad                         each malformed or out-of-range message gets an
                              error and no meta (nothing changed)
  roundtrip                   set_band/set_smoothing/set_autoscale/... answer a
                              meta carrying the new values
  presets NAME                save_preset lists NAME with saved_at, the preset
                              file's modification time in the seed's format
                              (local "%Y-%m-%d %H:%M"), newest first; a file
                              dated back by os.utime lists that date, last;
                              load_preset answers meta
  raw SECONDS                 prints the mean low mid high low_raw mid_raw
                              high_raw of SECONDS of snapshots (after a 1 s
                              settle) and the sample rate from meta
  raw-check A B DB            A and B are two `raw` outputs for a 1 kHz tone
                              at -20 dBFS and DB dB lower: each *_raw is the
                              sine's RMS through that band's Butterworth
                              band-pass (formula below, from the band edges
                              fohd reports): mid_raw within 1 dB, low_raw and
                              high_raw far below it; mid_raw moves by DB
                              within 0.5 dB, mid (auto-scaled) does not
"""
import asyncio, json, math, os, socket, struct, sys, time
import websockets

URL = "ws://127.0.0.1:8765"


async def recv_json(ws, want, timeout=3.0):
    """The next text message of type want (others skipped)."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit(f"no {want} message within {timeout} s")
        frame = await asyncio.wait_for(ws.recv(), left)
        if isinstance(frame, str):
            msg = json.loads(frame)
            if msg["type"] == want:
                return msg


async def fft_match(port, seconds):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    udp.setblocking(False)
    osc = set()
    frames = []
    async with websockets.connect(URL) as ws:
        await ws.send(json.dumps({"type": "set_fft", "enabled": True}))
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                frame = await asyncio.wait_for(ws.recv(), 0.05)
                if isinstance(frame, bytes):
                    frames.append(frame)
            except asyncio.TimeoutError:
                pass
            while True:
                try:
                    data = udp.recv(65536)
                except BlockingIOError:
                    break
                if data.startswith(b"/audio/fft\0"):
                    tags_at = 12
                    tags_end = data.index(b"\0", tags_at)
                    n = tags_end - tags_at - 1
                    args_at = (tags_end + 4) & ~3
                    floats = struct.unpack_from(f">{n}f", data, args_at)
                    osc.add(struct.pack(f"<{n}f", *floats))
    # drain what arrived last
    time.sleep(0.1)
    while True:
        try:
            data = udp.recv(65536)
        except BlockingIOError:
            break
    if len(frames) < 20:
        raise SystemExit(f"only {len(frames)} binary FFT frames in {seconds} s")
    matched = 0
    for f in frames:
        t, r, n = struct.unpack_from("<BBH", f, 0)
        if t != 1 or r != 0 or len(f) != 4 + 4 * n:
            raise SystemExit(f"bad frame header {t} {r} {n} for {len(f)} bytes")
        matched += f[4:] in osc
    print(f"{len(frames)} frames, {matched} byte-identical to an /audio/fft datagram, "
          f"{len(osc)} datagrams")
    # the first frames can predate the UDP socket's first datagram
    if matched < len(frames) - 3:
        raise SystemExit("binary frames differ from /audio/fft")


BAD = [
    "not json",
    "[1, 2]",
    {"type": "no_such_type"},
    {"type": "set_fft"},
    {"type": "set_fft", "enabled": "yes"},
    {"type": "set_band", "band": "sub", "lo_hz": 100, "hi_hz": 400},
    {"type": "set_band", "band": "mid", "lo_hz": 10, "hi_hz": 400},
    {"type": "set_band", "band": "mid", "lo_hz": 300, "hi_hz": 320},
    {"type": "set_band", "band": "high", "lo_hz": 4000, "hi_hz": 30000},
    {"type": "set_band", "band": "mid", "lo_hz": 300, "hi_hz": 3000, "commit": "now"},
    {"type": "set_smoothing", "tau": {"low": 5.0}},
    {"type": "set_smoothing", "tau": {"low": 0.1, "mid": 0.001}},
    {"type": "set_smoothing"},
    {"type": "set_autoscale", "tau_attack_s": 0.05, "tau_release_s": 1},
    {"type": "set_autoscale", "strength": 1.5},
    {"type": "set_autoscale", "noise_floor": -0.1},
    {"type": "set_fft_send_raw_db", "send_raw_db": 1},
    {"type": "set_fft_peak_smear", "peak_smear_oct": 4},
    {"type": "set_n_fft_bins", "n": 4},
    {"type": "set_n_fft_bins", "n": 100.5},
    {"type": "set_ws_snapshot_hz", "hz": 1000},
    {"type": "set_device", "index": 999999},
    {"type": "save_preset", "name": "../escape"},
    {"type": "save_preset", "name": ""},
    {"type": "save_preset", "name": "x" * 65},
    {"type": "load_preset", "name": "main"},
]


async def bad():
    async with websockets.connect(URL) as ws:
        await recv_json(ws, "meta")
        for m in BAD:
            await ws.send(m if isinstance(m, str) else json.dumps(m))
            end = time.monotonic() + 3
            while True:
                frame = await asyncio.wait_for(ws.recv(), end - time.monotonic())
                if isinstance(frame, bytes):
                    continue
                msg = json.loads(frame)
                if msg["type"] == "meta":
                    raise SystemExit(f"{m!r} was accepted (meta sent)")
                if msg["type"] == "error":
                    if not msg.get("reason"):
                        raise SystemExit(f"{m!r}: error without a reason")
                    break
        print(f"{len(BAD)} bad messages, each answered with an error")


async def roundtrip():
    async with websockets.connect(URL) as ws:
        await recv_json(ws, "meta")
        steps = [
            ({"type": "set_band", "band": "mid", "lo_hz": 300, "hi_hz": 3000, "commit": False},
             lambda m: m["bands"]["mid"] == {"lo_hz": 300, "hi_hz": 3000}),
            ({"type": "set_smoothing", "tau": {"low": 0.2}, "commit": True},
             lambda m: abs(m["tau"]["low"] - 0.2) < 1e-9),
            ({"type": "set_autoscale", "strength": 0.5, "noise_floor": 0.001},
             lambda m: m["autoscale"]["strength"] == 0.5 and m["autoscale"]["noise_floor"] == 0.001),
            ({"type": "set_fft_send_raw_db", "send_raw_db": True}, lambda m: m["fft_send_raw_db"] is True),
            ({"type": "set_fft_send_raw_db", "send_raw_db": False}, lambda m: m["fft_send_raw_db"] is False),
            ({"type": "set_fft_peak_smear", "peak_smear_oct": 1.5}, lambda m: m["fft_peak_smear_oct"] == 1.5),
            ({"type": "set_n_fft_bins", "n": 64}, lambda m: m["n_fft_bins"] == 64),
            ({"type": "set_ws_snapshot_hz", "hz": 30}, lambda m: m["ws_snapshot_hz"] == 30),
            ({"type": "set_fft", "enabled": False}, lambda m: m["fft_enabled"] is False),
        ]
        for msg, ok in steps:
            await ws.send(json.dumps(msg))
            # a meta broadcast for an earlier change may still be on its way
            end = time.monotonic() + 5
            while True:
                meta = await recv_json(ws, "meta", max(0.1, end - time.monotonic()))
                if ok(meta):
                    break
                if time.monotonic() > end:
                    raise SystemExit(f"{msg} answered meta {meta}")
        await ws.send(json.dumps({"type": "list_devices"}))
        devs = await recv_json(ws, "devices")
        if not isinstance(devs["items"], list):
            raise SystemExit("devices has no items list")
        # snapshots at the new 30 Hz: the server's own stamps (t), median
        # spacing, so a slow machine delays them without failing the test
        seqs, ts = [], []
        while len(seqs) < 40:
            m = await recv_json(ws, "snapshot", 10)
            seqs.append(m["seq"])
            ts.append(m["t"])
            for k in ("low", "mid", "high", "low_raw", "mid_raw", "high_raw", "t"):
                if not isinstance(m[k], (int, float)):
                    raise SystemExit(f"snapshot {k} is {m[k]!r}")
        gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
        median = gaps[len(gaps) // 2]
        if seqs != sorted(seqs) or not 0.8 / 30 <= median <= 1.25 / 30:
            raise SystemExit(f"snapshots at 30 Hz are {median * 1000:.1f} ms apart (median)")
        await recv_json(ws, "server_status", 10)
        print(f"roundtrip ok; snapshots {median * 1000:.1f} ms apart at 30 Hz")


def preset_file(name):
    return os.path.join(os.environ["XDG_CONFIG_HOME"], "foh", "presets", f"analyzer-{name}.conf")


def seed_time(t):
    """The seed's saved_at: time.strftime("%Y-%m-%d %H:%M", localtime(mtime))."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


async def presets(name):
    async with websockets.connect(URL) as ws:
        await recv_json(ws, "presets")
        before = time.time()
        await ws.send(json.dumps({"type": "save_preset", "name": name}))
        p = await recv_json(ws, "presets")
        after = time.time()
        items = {i["name"]: i["saved_at"] for i in p["items"]}
        if name not in items:
            raise SystemExit(f"{name} not listed after save_preset: {p}")
        want = seed_time(os.stat(preset_file(name)).st_mtime)
        if items[name] != want or want not in (seed_time(before), seed_time(after)):
            raise SystemExit(f"saved_at of {name} is {items[name]!r}, the file says {want!r}, "
                             f"saved between {seed_time(before)} and {seed_time(after)}")
        # an older preset: its file dated 2021-03-04 05:06:07 local time
        await ws.send(json.dumps({"type": "save_preset", "name": name + " old"}))
        await recv_json(ws, "presets")
        old = time.mktime((2021, 3, 4, 5, 6, 7, 0, 0, -1))
        os.utime(preset_file(name + " old"), (old, old))
        await ws.send(json.dumps({"type": "list_presets"}))
        p = await recv_json(ws, "presets")
        got = [(i["name"], i["saved_at"]) for i in p["items"]]
        if (name + " old", "2021-03-04 05:06") not in got:
            raise SystemExit(f"a preset saved on 2021-03-04 05:06 lists as {got}")
        if [n for n, _ in got].index(name) > [n for n, _ in got].index(name + " old"):
            raise SystemExit(f"presets are not newest first: {got}")
        print(f"presets: {got}")
        await ws.send(json.dumps({"type": "load_preset", "name": name}))
        await recv_json(ws, "meta")
        await ws.send(json.dumps({"type": "load_preset", "name": "absent"}))
        await recv_json(ws, "error")
        print("presets ok")


async def raw(seconds):
    """Means of the snapshots' values over SECONDS, after 1 s to settle."""
    async with websockets.connect(URL) as ws:
        meta = await recv_json(ws, "meta")
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            await recv_json(ws, "snapshot")
        keys = ("low", "mid", "high", "low_raw", "mid_raw", "high_raw")
        sums, n = dict.fromkeys(keys, 0.0), 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            m = await recv_json(ws, "snapshot")
            for k in keys:
                sums[k] += m[k]
            n += 1
        bands = ",".join(f"{meta['bands'][b]['lo_hz']}:{meta['bands'][b]['hi_hz']}"
                         for b in ("low", "mid", "high"))
        print(" ".join(f"{sums[k] / n:.6g}" for k in keys), meta["sr"], bands)


def butter_gain(f, lo, hi, sr, order=2):
    """|H(f)| of fohd's order-N Butterworth band-pass (src/dsp/lmh.h):
    1 / sqrt(1 + ((W^2 - W0^2) / (W B))^(2N)), W = tan(pi f / sr)."""
    w, wl, wh = (math.tan(math.pi * x / sr) for x in (f, lo, hi))
    x = (w * w - wl * wh) / (w * (wh - wl))
    return 1 / math.sqrt(1 + x ** (2 * order))


def raw_check(a, b, drop_db):
    a, b = a.split(), b.split()
    sr = float(a[6])
    edges = [tuple(map(float, e.split(":"))) for e in a[7].split(",")]
    db = lambda x: 20 * math.log10(max(x, 1e-12))
    rms = 10 ** (-20 / 20) / math.sqrt(2)          # a -20 dBFS-peak sine
    mid = float(a[4])
    for i, band in enumerate(("low", "mid", "high")):
        want = rms * butter_gain(1000, *edges[i], sr)
        got = float(a[3 + i])
        print(f"{band}_raw {got:.6g} (formula {want:.6g}, {db(got) - db(want):+.2f} dB), "
              f"scaled {float(a[i]):.4g}")
        # mid holds the tone; low and high see it 20-40 dB down, where a
        # glitch of the tone under load (broadband) can outweigh it: they
        # need only be that far below mid
        if band == "mid" and abs(db(got) - db(want)) > 1.0:
            raise SystemExit(f"{band}_raw {got:.6g} is not the band's RMS {want:.6g} within 1 dB")
        if band != "mid" and db(mid) - db(got) < min(15.0, db(rms) - db(want) - 5):
            raise SystemExit(f"{band}_raw {got:.6g} is not far below mid_raw {mid:.6g}")
    raw_step = db(float(b[4])) - db(float(a[4]))
    scaled_step = db(float(b[1])) - db(float(a[1]))
    print(f"-{drop_db} dB tone: mid_raw moves {raw_step:+.2f} dB, mid {scaled_step:+.2f} dB")
    if abs(raw_step + drop_db) > 0.5:
        raise SystemExit(f"mid_raw moved {raw_step:+.2f} dB for a -{drop_db} dB step")
    if abs(scaled_step + drop_db) < 1.0:
        raise SystemExit(f"mid (auto-scaled) moved {scaled_step:+.2f} dB too: the same as raw")


cmd = sys.argv[1]
if cmd == "fft-match":
    asyncio.run(fft_match(int(sys.argv[2]), float(sys.argv[3])))
elif cmd == "bad":
    asyncio.run(bad())
elif cmd == "roundtrip":
    asyncio.run(roundtrip())
elif cmd == "raw":
    asyncio.run(raw(float(sys.argv[2])))
elif cmd == "raw-check":
    raw_check(sys.argv[2], sys.argv[3], float(sys.argv[4]))
elif cmd == "presets":
    asyncio.run(presets(sys.argv[2]))
else:
    raise SystemExit(f"unknown command {cmd}")
