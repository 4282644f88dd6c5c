"""WebSocket probes for the foh-web tests (python3-websockets):
  origin URL ORIGIN          the handshake with this Origin: prints "open" or
                             the HTTP status it was refused with
  big URL BYTES              sends one message of BYTES bytes: prints the
                             close code
  churn URL N                N connects and disconnects, one after another
  events URL SECONDS TOPICS  subscribes (comma-separated topics) and prints
                             how many messages of each type arrived as JSON
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


async def events(url, seconds, topics):
    counts = {}
    async with websockets.connect(url) as ws:
        hello = json.loads(await ws.recv())
        counts["hello"] = 1
        await ws.send(json.dumps({"type": "subscribe", "topics": topics}))
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
    asyncio.run(events(sys.argv[2], float(sys.argv[3]), [t for t in sys.argv[4].split(",") if t]))
