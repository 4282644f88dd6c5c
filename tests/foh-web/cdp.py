"""Opens URL in a running headless Chromium over the DevTools protocol
(python3-websockets), waits until the JavaScript expression UNTIL is true
in that page (at most SECONDS), and prints the value of EXPR.
Usage: cdp.py DEVTOOLS_WS_URL URL SECONDS EXPR UNTIL"""
import asyncio, itertools, json, sys
import websockets


async def main(browser, url, seconds, expr, until):
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
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            r = await call("Runtime.evaluate", session, expression=until, returnByValue=True)
            if r["result"].get("value") is True:
                break
            await asyncio.sleep(0.2)
        r = await call("Runtime.evaluate", session, expression=expr, returnByValue=True)
        print(r["result"].get("value"))


asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]))
