#!/usr/bin/python3
"""The browser UI end to end in headless Chromium (tests/tools/cdp.py),
against the session's fohd (a 1 kHz, -18 dBFS tone playing into channel 1,
the analyzer's source) and foh-web on URL. Expected values come from fohctl,
busctl and the log-frequency axis formula, never from the page's code.
Screenshots of every view go to SHOTS/<view>.png (paths printed).
Usage: web-ui.py URL SHOTS"""
import asyncio
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["FOH_TESTS"], "tools"))
from cdp import Browser  # noqa: E402

URL, SHOTS = sys.argv[1], sys.argv[2]
VIEWS = ("channels", "stabilizer", "analyzer", "decks", "x32", "system")
failures = []


def ctl(verb):
    """Asks the test's shell (test-web-ui.sh) to restart a process."""
    with open(os.environ["UI_REQ"], "w") as f:
        f.write(verb + "\n")
    with open(os.environ["UI_ACK"]) as f:
        f.read()


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def busctl(*args, opts=()):
    r = subprocess.run(["busctl", "--user", *opts, "--", *args], capture_output=True, text=True)
    return r


def chget(prop, n=1):
    r = busctl("get-property", "org.foh.Foh1", f"/org/foh/Foh1/channel/{n}", "org.foh.Foh1.Channel",
               prop, opts=("--json=short",))
    return json.loads(r.stdout)["data"]


def get(path, iface, prop):
    r = busctl("get-property", "org.foh.Foh1", path, iface, prop, opts=("--json=short",))
    return json.loads(r.stdout)["data"]


def chset(prop, sig, v, n=1):
    return busctl("set-property", "org.foh.Foh1", f"/org/foh/Foh1/channel/{n}",
                  "org.foh.Foh1.Channel", prop, sig, str(v))


def fohctl_levels(ch=1):
    r = subprocess.run([os.environ["FOHCTL"], "--json", "meters", "--once"], capture_output=True, text=True)
    return next(x for x in json.loads(r.stdout) if x["channel"] == ch)


GAIN = 'document.querySelector(\'input[data-path="channel/1"][data-prop="Gain"]\')'
LIVE = "document.getElementById('link').textContent === 'live'"


async def show(page, view):
    await page.eval(f"location.hash = '#{view}'")
    return await page.wait_for(
        f"document.querySelector('nav a[aria-current]')?.dataset.view === '{view}'"
        " && document.querySelector('main .panel') !== null", 10)


async def drag(page, sel, frac0, frac1):
    """Real mouse events: press on the slider at frac0 of its width, move
    in steps to frac1, release."""
    r = await page.eval(f"(() => {{ const e = {sel}; e.scrollIntoView({{block: 'center'}});"
                        " const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
    x0, y = r[0] + r[2] * frac0, r[1] + r[3] / 2
    x1 = r[0] + r[2] * frac1

    async def mouse(kind, x, buttons):
        await page.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                     "buttons": buttons, "clickCount": 1})
    await mouse("mousePressed", x0, 1)
    for i in range(1, 9):
        await mouse("mouseMoved", x0 + (x1 - x0) * i / 8, 1)
        await asyncio.sleep(0.03)
    await mouse("mouseReleased", x1, 0)


async def key(page, k, code):
    for kind in ("rawKeyDown", "keyUp"):
        await page.send("Input.dispatchKeyEvent", {"type": kind, "key": k, "code": code,
                                                   "windowsVirtualKeyCode": {"Home": 36, "ArrowRight": 39}[k]})


async def main():
    async with Browser() as b:
        page = await b.new_page()
        await page.viewport(1280, 900)
        await page.goto(URL)
        check(await page.wait_for(LIVE + " && document.querySelectorAll('[data-readout]').length == 2", 20),
              "the page comes up live with a strip per channel")
        # every banner text, for the restarts below
        await page.eval("window.banners = []; new MutationObserver(() => window.banners.push("
                        "document.getElementById('link').textContent)).observe("
                        "document.getElementById('link'), {childList: true, characterData: true, subtree: true})")

        # 1. the meter against fohctl's, on the same steady tone
        await page.wait_for("Number(document.querySelector('[data-readout=\"channel/1\"]').dataset.rms) > -40", 10)
        await asyncio.sleep(1.0)
        page_rms = await page.eval("Number(document.querySelector('[data-readout=\"channel/1\"]').dataset.rms)")
        page_peak = await page.eval("Number(document.querySelector('[data-readout=\"channel/1\"]').dataset.peak)")
        lv = fohctl_levels()
        print(f"meter: page rms {page_rms:.2f} peak {page_peak:.2f} dBFS; fohctl rms {lv['rms_db']:.2f} "
              f"peak {lv['peak_db']:.2f}; a -18 dBFS sine's rms is {-18 - 20 * math.log10(math.sqrt(2)):.2f}")
        check(abs(page_rms - lv["rms_db"]) <= 1 and abs(page_peak - lv["peak_db"]) <= 1,
              "channel 1's meter reads within 1 dB of fohctl's")

        # 2. screenshots of every view, and no console error or failed request
        for v in VIEWS:
            check(await show(page, v), f"view {v} shows")
            await asyncio.sleep(0.5)
            path = await page.screenshot(os.path.join(SHOTS, f"{v}.png"), full_page=True)
            print("screenshot:", path)
        check(not page.console_errors and not page.exceptions and not page.failed_requests,
              f"no console errors {page.console_errors}, exceptions {page.exceptions} "
              f"or failed requests {page.failed_requests}")

        # 3. the FFT canvas peaks at 1 kHz's x on the log axis
        await show(page, "analyzer")
        n = get("/org/foh/Foh1/analyzer", "org.foh.Foh1.Analyzer", "FftBins")
        fmin = get("/org/foh/Foh1/analyzer", "org.foh.Foh1.Analyzer", "FftMinHz")
        fmax = get("/org/foh/Foh1", "org.foh.Foh1.Manager", "SampleRate") / 2
        await page.wait_for("window.fohLastFft && window.fohLastFft.length > 0", 10)
        await asyncio.sleep(1.0)
        # the topmost pixel of the spectrum's line (its green) per column
        cols = await page.eval("""(() => {
          const c = document.querySelector('canvas[data-fft]'), g = c.getContext('2d');
          const d = g.getImageData(0, 0, c.width, c.height).data, top = [];
          for (let x = 0; x < c.width; x++) {
            let y = 0;
            for (; y < c.height; y++) {
              const i = 4 * (y * c.width + x);
              if (d[i + 1] > 150 && d[i] < 120 && d[i + 2] > 80 && d[i + 2] < 190) break;
            }
            top.push(y);
          }
          return {w: c.width, top};
        })()""")
        w = cols["w"]
        x_peak = min(range(w), key=lambda x: cols["top"][x])
        x_want = w * math.log(1000 / fmin) / math.log(fmax / fmin)
        bin_w = w / n
        print(f"fft: canvas {w} px, {n} bins {fmin:g}..{fmax:g} Hz; line peaks at x={x_peak}, "
              f"1 kHz is at x={x_want:.1f} (a bin is {bin_w:.1f} px)")
        check(abs(x_peak - x_want) <= 2.5 * bin_w, "the FFT canvas peaks at the tone's frequency")

        # 4. dragging channel 1's gain slider sets Gain on D-Bus
        await show(page, "channels")
        await page.wait_for(GAIN, 10)
        lo, hi = await page.eval(f"[Number({GAIN}.min), Number({GAIN}.max)]")
        before = chget("Gain")
        await drag(page, GAIN, 0.5, 0.3)
        want = await page.eval(f"Number({GAIN}.value)")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and abs(chget("Gain") - want) > 1e-9:
            await asyncio.sleep(0.05)
        got = chget("Gain")
        print(f"gain slider [{lo}, {hi}] dragged to {want}; D-Bus Gain {before} -> {got}")
        check(abs(got - want) < 1e-9 and abs(got - before) > 1, "the dragged slider sets Gain on D-Bus")
        check(lo == -60 and hi == 24, "the slider's range is fohd's (-60..24 dB from openapi.json)")
        # keyboard: one step right (once the slider shows what fohd holds)
        await page.wait_for(f"Number({GAIN}.value) === {got}", 5)
        await page.eval(f"{GAIN}.focus()")
        step = await page.eval(f"Number({GAIN}.step)")
        await key(page, "ArrowRight", "ArrowRight")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and abs(chget("Gain") - (want + step)) > 1e-9:
            await asyncio.sleep(0.05)
        check(abs(chget("Gain") - (want + step)) < 1e-9, f"ArrowRight on the focused slider adds a step ({step} dB)")

        # 5. busctl set-property shows on the page; latency printed (speed is the benchmark's)
        lat = []
        for v in (-7, -12.5, 3):
            await page.eval(f"window.seenAt = 0; window.obs && window.obs.disconnect();"
                            f"window.obs = new MutationObserver(() => {{ if (Number({GAIN}.value) === {v} && !window.seenAt)"
                            f" window.seenAt = Date.now(); }}); window.obs.observe({GAIN}.parentElement,"
                            " {subtree: true, childList: true, characterData: true, attributes: true})")
            t0 = time.time() * 1000
            check(chset("Gain", "d", v).returncode == 0, f"busctl sets Gain {v}")
            seen = await page.wait_for("window.seenAt", 10)
            check(bool(seen), f"Gain {v} set by busctl shows on the page")
            if seen:
                lat.append(seen - t0)
        print("busctl -> page latency ms: " + " ".join(f"{x:.0f}" for x in lat))

        # 6. a value fohd refuses snaps back and shows its message:
        # FftWindow at its minimum (256) is below FftHop (512)
        await show(page, "analyzer")
        win = 'document.querySelector(\'input[data-path="analyzer"][data-prop="FftWindow"]\')'
        await page.wait_for(win, 10)
        old = await page.eval(f"Number({win}.value)")
        await page.eval(f"{win}.focus()")
        await key(page, "Home", "Home")
        toast = await page.wait_for("(() => { const t = document.getElementById('toast');"
                                    " return !t.hidden && t.textContent; })()", 10)
        snapped = await page.wait_for(f"Number({win}.value) === {old} && {win}.value", 5)
        fohd_window = get("/org/foh/Foh1/analyzer", "org.foh.Foh1.Analyzer", "FftWindow")
        print(f"refused: toast {toast!r}; slider back at {snapped}; fohd FftWindow {fohd_window}")
        check(bool(toast) and "fft-hop" in toast and bool(snapped) and fohd_window == old,
              "a refused value snaps back and shows fohd's message")

        # 7. decks: the music folder's track loads on deck a
        await show(page, "decks")
        await page.wait_for("document.querySelector('#music-tracks option')", 10)
        await page.eval("document.querySelector('button[data-deck=\"a\"]').click()")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not get("/org/foh/Foh1/deck/a", "org.foh.Foh1.Deck",
                                                      "Path").endswith("track one.wav"):
            await asyncio.sleep(0.1)
        check(get("/org/foh/Foh1/deck/a", "org.foh.Foh1.Deck", "Path").endswith("/music/track one.wav"),
              "Load on deck A loads the listed track")

        # 8. 390 px wide: every control inside the viewport, no horizontal scroll
        await page.viewport(390, 844, mobile=True, scale=2)
        for v in VIEWS:
            await show(page, v)
            await asyncio.sleep(0.3)
            r = await page.eval("""(() => {
              for (const d of document.querySelectorAll('details')) d.open = true;
              const out = [];
              for (const e of document.querySelectorAll('main input, main button, main select, main canvas, nav a, header *')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                if (r.left < -0.5 || r.right > innerWidth + 0.5)
                  out.push(`${e.tagName} ${e.dataset.prop || e.textContent.slice(0, 20)} ${r.left.toFixed(0)}..${r.right.toFixed(0)}`);
              }
              return {sw: document.scrollingElement.scrollWidth, iw: innerWidth, out};
            })()""")
            check(r["sw"] <= 390 and not r["out"], f"{v} at 390 px: scrollWidth {r['sw']}, outside: {r['out'][:5]}")
            if v == "channels":
                print("screenshot:", await page.screenshot(os.path.join(SHOTS, "channels-390.png")))
        await page.viewport(1280, 900)
        await show(page, "channels")

        # 9. restarts: foh-web, then fohd; the banner says so and the page comes back
        await page.eval("window.banners = []")
        ctl("restart-web")
        check(await page.wait_for(LIVE + " && window.banners.some((t) => /reconnecting/.test(t))", 20),
              f"after foh-web restarts the page said reconnecting and is live again: {await page.eval('window.banners')}")
        await page.eval("window.banners = []")
        ctl("kill-fohd")
        check(await page.wait_for("window.banners.some((t) => /fohd is not running/.test(t))", 10),
              "with fohd gone the page says so")
        ctl("start-fohd")
        check(await page.wait_for(LIVE + " && document.querySelectorAll('[data-readout]').length == 2", 20),
              "with fohd back the page is live again with its strips")
        v = -9.5
        chset("Gain", "d", v)
        check(await page.wait_for(f"Number({GAIN}.value) === {v}", 10), "and follows fohd again")


try:
    asyncio.run(main())
except Exception as e:  # noqa: BLE001
    failures.append(repr(e))
    raise
finally:
    with open(os.environ["UI_REQ"], "w") as f:
        f.write("end\n")
sys.exit(1 if failures else 0)
