"""Checks of the feature-server personality (ws://127.0.0.1:8765), run by
test-web-feature.sh with Debian's python3-websockets:
  fft-match UDP_PORT SECONDS  binary WS frames against /audio/fft datagrams
                              received on UDP_PORT (an analyzer destination):
                              every frame's floats are some datagram's floats
  bad                         each malformed or out-of-range message gets an
                              error and no meta (nothing changed)
  roundtrip                   set_band/set_smoothing/set_autoscale/... answer a
                              meta carrying the new values
  presets NAME                save_preset lists NAME; load_preset answers meta
"""
import asyncio, json, socket, struct, sys, time
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


async def presets(name):
    async with websockets.connect(URL) as ws:
        await recv_json(ws, "presets")
        await ws.send(json.dumps({"type": "save_preset", "name": name}))
        p = await recv_json(ws, "presets")
        if name not in [i["name"] for i in p["items"]]:
            raise SystemExit(f"{name} not listed after save_preset: {p}")
        await ws.send(json.dumps({"type": "list_presets"}))
        await recv_json(ws, "presets")
        await ws.send(json.dumps({"type": "load_preset", "name": name}))
        await recv_json(ws, "meta")
        await ws.send(json.dumps({"type": "load_preset", "name": "absent"}))
        await recv_json(ws, "error")
        print("presets ok")


cmd = sys.argv[1]
if cmd == "fft-match":
    asyncio.run(fft_match(int(sys.argv[2]), float(sys.argv[3])))
elif cmd == "bad":
    asyncio.run(bad())
elif cmd == "roundtrip":
    asyncio.run(roundtrip())
elif cmd == "presets":
    asyncio.run(presets(sys.argv[2]))
else:
    raise SystemExit(f"unknown command {cmd}")
