"""WebSocket probes for the foh-web tests (python3-websockets):
  origin URL ORIGIN          the handshake with this Origin: prints "open" or
                             the HTTP status it was refused with
  big URL BYTES              sends one message of BYTES bytes: prints the
                             close code
  churn URL N                N connects and disconnects, one after another
  events URL SECONDS TOPICS [CMD]  subscribes (comma-separated topics),
                             runs the shell command CMD once subscribed, and
                             prints how many messages of each type arrived
"""
import asyncio, json, sys, time
import websockets


async def origin(url, org):
    try:
        async with websockets.connect(url, origin=org or None, open_timeout=5):
            print("open")
    except websockets.exceptions.InvalidStatusCode as e:
        print(e.status_code)


async def big(url, n):
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send("x" * n)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except websockets.exceptions.ConnectionClosed as e:
            print(e.code)


async def churn(url, n):
    for _ in range(n):
        async with websockets.connect(url) as ws:
            await ws.recv()


async def events(url, seconds, topics, then=None):
    counts = {}
    async with websockets.connect(url) as ws:
        json.loads(await ws.recv())
        counts["hello"] = 1
        await ws.send(json.dumps({"type": "subscribe", "topics": topics}))
        # what was sent before the subscription took effect is not counted:
        # wait for its answer (hello again, or an error)
        while True:
            m = await asyncio.wait_for(ws.recv(), 5)
            if isinstance(m, str) and json.loads(m)["type"] in ("hello", "error"):
                t = json.loads(m)["type"]
                counts[t] = counts.get(t, 0) + 1
                break
        if then:
            import subprocess
            subprocess.Popen(then, shell=True)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                m = await asyncio.wait_for(ws.recv(), end - time.monotonic())
            except asyncio.TimeoutError:
                break
            t = "binary" if isinstance(m, bytes) else json.loads(m)["type"]
            counts[t] = counts.get(t, 0) + 1
    print(json.dumps(counts))


cmd = sys.argv[1]
if cmd == "origin":
    asyncio.run(origin(sys.argv[2], sys.argv[3]))
elif cmd == "big":
    asyncio.run(big(sys.argv[2], int(sys.argv[3])))
elif cmd == "churn":
    asyncio.run(churn(sys.argv[2], int(sys.argv[3])))
elif cmd == "events":
    asyncio.run(events(sys.argv[2], float(sys.argv[3]), [t for t in sys.argv[4].split(",") if t],
                       sys.argv[5] if len(sys.argv) > 5 else None))


def slow(host, port, path, seconds):
    """A client that subscribes to everything and then never reads, with a
    4 KiB receive buffer: foh-web must drop it, not buffer for it."""
    import base64, os, socket, struct as st
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise SystemExit(f"handshake refused: {head!r}")
    payload = json.dumps({"type": "subscribe",
                          "topics": ["properties", "levels", "stabilizer", "lmh", "fft"]}).encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    s.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    time.sleep(seconds)
    # dropped: the server closed its side (after the frames in flight)
    s.settimeout(0.5)
    s.setblocking(False)
    print("sent")


if cmd == "slow":
    slow(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))


async def fohd_watch(url, ready, seconds):
    """Writes READY once connected, then prints the fohd states the events
    WebSocket reports (hello, then each change) until it has seen fohd go
    and come back, or SECONDS pass."""
    states = []
    async with websockets.connect(url) as ws:
        states.append(json.loads(await ws.recv())["fohd"])
        open(ready, "w").write("connected\n")
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (False in states and states[-1] is True):
            try:
                m = await asyncio.wait_for(ws.recv(), end - time.monotonic())
            except asyncio.TimeoutError:
                break
            if isinstance(m, str) and json.loads(m)["type"] == "fohd":
                states.append(json.loads(m)["fohd"])
    print(" ".join("up" if s else "down" for s in states))


if cmd == "fohd-watch":
    asyncio.run(fohd_watch(sys.argv[2], sys.argv[3], float(sys.argv[4])))
