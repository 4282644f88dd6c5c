"""Opens URL in a running headless Chromium over the DevTools protocol
(python3-websockets), waits SECONDS of real time, and prints the value of
the JavaScript expression EXPR in that page.
Usage: cdp.py DEVTOOLS_WS_URL URL SECONDS EXPR"""
import asyncio, itertools, json, sys
import websockets


async def main(browser, url, seconds, expr):
    ids = itertools.count(1)
    async with websockets.connect(browser, max_size=None) as ws:
        async def call(method, session=None, **params):
            i = next(ids)
            msg = {"id": i, "method": method, "params": params}
            if session:
                msg["sessionId"] = session
            await ws.send(json.dumps(msg))
            while True:
                r = json.loads(await ws.recv())
                if r.get("id") == i:
                    if "error" in r:
                        raise SystemExit(f"{method}: {r['error']}")
                    return r["result"]
        target = (await call("Target.createTarget", url=url))["targetId"]
        session = (await call("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        await asyncio.sleep(seconds)
        r = await call("Runtime.evaluate", session, expression=expr, returnByValue=True)
        print(r["result"].get("value"))


asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]))
