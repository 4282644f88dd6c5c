#!/usr/bin/python3
"""A small Chrome DevTools Protocol driver for foh's browser tests (also a
command: cdp.py URL SECONDS EXPR UNTIL prints EXPR once UNTIL holds).

Starts Debian's chromium headless with a private profile, attaches to one
page over the DevTools WebSocket (python3-websockets) and offers what the
tests need: navigate, evaluate JavaScript, wait for a condition, set the
viewport, take a screenshot, read performance metrics; it records console
errors, uncaught exceptions and failed requests on the way.

    async with Browser() as b:
        page = await b.new_page()
        await page.goto("http://127.0.0.1:8480/")
        assert await page.wait_for("document.readyState === 'complete'")
"""
import asyncio
import base64
import json
import os
import shutil
import subprocess
import tempfile

import websockets

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class CDPError(Exception):
    pass


class Page:
    def __init__(self, browser, session_id):
        self.browser = browser
        self.session = session_id
        self.console_errors = []
        self.exceptions = []
        self.failed_requests = []
        self.console = []

    async def send(self, method, params=None, timeout=30):
        return await self.browser.send(method, params, self.session, timeout)

    def on_event(self, method, params):
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append((params.get("type"), text))
            if params.get("type") == "error":
                self.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.exceptions.append(d.get("exception", {}).get("description") or d.get("text"))
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            if e.get("level") == "error":
                self.console_errors.append(f'{e.get("source")}: {e.get("text")} {e.get("url", "")}')
        elif method == "Network.loadingFailed":
            if not params.get("canceled"):
                self.failed_requests.append(params.get("errorText"))
        elif method == "Network.responseReceived":
            r = params.get("response", {})
            if r.get("status", 200) >= 400:
                self.failed_requests.append(f'{r.get("status")} {r.get("url")}')

    async def enable(self):
        for domain in ("Page", "Runtime", "Log", "Network"):
            await self.send(domain + ".enable")

    async def goto(self, url, timeout=20):
        await self.send("Page.navigate", {"url": url})
        return await self.wait_for("document.readyState === 'complete'", timeout)

    async def eval(self, expr, timeout=30):
        r = await self.send("Runtime.evaluate", {
            "expression": expr, "awaitPromise": True, "returnByValue": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError(d.get("exception", {}).get("description") or d.get("text"))
        return r.get("result", {}).get("value")

    async def wait_for(self, expr, timeout=10, interval=0.05):
        """Polls expr until it is truthy; returns its value, or None."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            try:
                v = await self.eval(expr)
            except CDPError:
                v = None
            if v:
                return v
            if loop.time() > end:
                return None
            await asyncio.sleep(interval)

    async def viewport(self, width, height, mobile=False, scale=1):
        await self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})

    async def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            m = await self.send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"],
                              "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        r = await self.send("Page.captureScreenshot", params)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
        return path

    async def metrics(self):
        await self.send("Performance.enable")
        r = await self.send("Performance.getMetrics")
        return {m["name"]: m["value"] for m in r["metrics"]}


class Browser:
    def __init__(self, args=(), chromium=CHROMIUM):
        self.extra = list(args)
        self.chromium = chromium
        self.proc = None
        self.ws = None
        self.next_id = 0
        self.pending = {}
        self.pages = {}
        self.reader = None

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def start(self, timeout=30):
        self.profile = tempfile.mkdtemp(prefix="foh-chromium.")
        cmd = [self.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--no-default-browser-check", "--disable-extensions",
               "--disable-background-networking", "--disable-sync",
               "--disable-component-update", "--mute-audio",
               "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
               *self.extra, "about:blank"]
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.proc.poll() is not None:
                raise CDPError(f"chromium exited with {self.proc.returncode}")
            if loop.time() > end:
                raise CDPError("chromium did not open its DevTools port")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)
        port, path = open(port_file).read().split("\n")[:2]
        self.ws = await websockets.connect(f"ws://127.0.0.1:{port}{path}",
                                           max_size=64 << 20, ping_interval=None)
        self.reader = asyncio.create_task(self.read_loop())

    async def read_loop(self):
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                if "id" in msg:
                    fut = self.pending.pop(msg["id"], None)
                    if fut is not None and not fut.done():
                        fut.set_result(msg)
                elif "method" in msg:
                    page = self.pages.get(msg.get("sessionId"))
                    if page is not None:
                        page.on_event(msg["method"], msg.get("params", {}))
        except websockets.ConnectionClosed:
            pass
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(CDPError("DevTools connection closed"))

    async def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        await self.ws.send(json.dumps(msg))
        r = await asyncio.wait_for(fut, timeout)
        if "error" in r:
            raise CDPError(f'{method}: {r["error"].get("message")}')
        return r.get("result", {})

    async def new_page(self, url="about:blank"):
        t = await self.send("Target.createTarget", {"url": url})
        a = await self.send("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})
        page = Page(self, a["sessionId"])
        page.target = t["targetId"]
        self.pages[a["sessionId"]] = page
        await page.enable()
        return page

    async def close_page(self, page):
        await self.send("Target.closeTarget", {"targetId": page.target})
        self.pages.pop(page.session, None)

    async def close(self):
        if self.ws is not None:
            try:
                await self.send("Browser.close", timeout=5)
            except Exception:
                pass
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


async def _main(url, seconds, expr, until):
    async with Browser() as b:
        page = await b.new_page()
        await page.goto(url)
        await page.wait_for(until, seconds)
        print(await page.eval(expr))


if __name__ == "__main__":
    # cdp.py URL SECONDS EXPR UNTIL: opens URL in a fresh headless Chromium,
    # waits until the JavaScript UNTIL is truthy (at most SECONDS) and
    # prints the value of EXPR.
    import sys
    asyncio.run(_main(sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]))
