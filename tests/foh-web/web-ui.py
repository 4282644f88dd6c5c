#!/usr/bin/python3
"""The browser UI in a real headless Chromium, driven over the DevTools
protocol, against a real fohd and foh-web (see test-web-ui.sh):

- every view loads with no console error, no uncaught exception and no
  failed request, and a screenshot of each is saved (artifacts);
- with a -20 dBFS tone playing into channel 1 the page's VU reads within
  1 dB of what `fohctl meters` reads at the same time;
- moving the channel-1 gain slider sets Gain on D-Bus (busctl);
- a `busctl set-property` shows on the page within 300 ms (median of 3);
- a refused value snaps back to the server's and its message is shown;
- the analyzer's FFT canvas peaks at a played tone's frequency: the x of
  the spectrum line's highest point, read from the canvas pixels, maps to
  the tone on the log-frequency axis of the analyzer's log bins (edges
  f_min (f_max / f_min)^(j / n), REFERENCE.md) within one bin;
- the page survives foh-web and fohd restarts (says so, then recovers);
- at 390 px wide every control of every view is inside the viewport and
  nothing scrolls sideways.

Usage: web-ui.py URL ARTIFACT_DIR (env: FOHCTL, RESTART_WEB, RESTART_FOHD,
KILL_FOHD: commands the shell side gives)."""
import asyncio
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["FOH_TESTS"], "tools"))
from cdp import Browser  # noqa: E402

URL, ART = sys.argv[1], sys.argv[2]
VIEWS = ["channels", "stabilizer", "analyzer", "decks", "x32", "system"]
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def busctl_get(path, iface, prop):
    out = sh("busctl", "--user", "--json=short", "get-property", "org.foh.Foh1",
             f"/org/foh/Foh1/{path}", f"org.foh.Foh1.{iface}", prop)
    return json.loads(out)["data"]


def busctl_set(path, iface, prop, sig, value):
    sh("busctl", "--user", "--", "set-property", "org.foh.Foh1", f"/org/foh/Foh1/{path}",
       f"org.foh.Foh1.{iface}", prop, sig, str(value))


def fohctl_vu(ch):
    rows = json.loads(sh(os.environ["FOHCTL"], "--json", "meters", "--once"))
    return next(r["vu_db"] for r in rows if r["channel"] == ch)


def play(target, hz, dbfs, seconds):
    path = os.path.join(os.environ["FOH_SESSION"], f"tone-{hz}.wav")
    sh("python3", os.path.join(os.environ["FOH_TESTS"], "tools", "audio.py"), "tone", path,
       str(hz), str(dbfs), str(seconds))
    return subprocess.Popen(["pw-play", "--target", target, path])


SLIDER = 'document.querySelector(\'input[data-path="{p}"][data-prop="{k}"]\')'


async def views_clean(page):
    for v in VIEWS:
        await page.eval(f"location.hash = '#{v}'")
        ok = await page.wait_for("document.querySelector('main section, main .panel') !== null", 10)
        await asyncio.sleep(0.5)
        check(bool(ok), f"view {v} shows its panels")
        await page.screenshot(os.path.join(ART, f"view-{v}.png"), full_page=True)
    check(not page.console_errors, f"no console errors ({page.console_errors[:3]})")
    check(not page.exceptions, f"no uncaught exceptions ({page.exceptions[:3]})")
    check(not page.failed_requests, f"no failed requests ({page.failed_requests[:3]})")


async def meter_matches(page):
    await page.eval("location.hash = '#channels'")
    await page.wait_for(SLIDER.format(p="channel/1", k="Gain"), 10)
    tone = play("foh.ch1.capture", 1000, -20, 5)
    try:
        # once fohctl's VU is steady (two reads 0.2 s apart within 0.1 dB),
        # the page must show the same level
        prev, ctl_vu, page_vu = None, None, None
        end = time.monotonic() + 4
        while time.monotonic() < end:
            ctl_vu = fohctl_vu(1)
            if prev is not None and ctl_vu > -30 and abs(ctl_vu - prev) < 0.1:
                page_vu = float(await page.eval(
                    "String(document.querySelector('[data-readout=\"channel/1\"]').dataset.vu)"))
                break
            prev = ctl_vu
            await asyncio.sleep(0.2)
        check(page_vu is not None and abs(page_vu - ctl_vu) <= 1.0,
              f"channel 1 VU on the page {page_vu} dB, fohctl {ctl_vu:.2f} dB (within 1 dB)")
    finally:
        tone.wait()


async def slider_sets_gain(page):
    js = SLIDER.format(p="channel/1", k="Gain")
    await page.eval(f"""(() => {{ const s = {js}; s.value = '-7.5';
        s.dispatchEvent(new Event('input', {{bubbles: true}}));
        s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")
    end = time.monotonic() + 3
    v = None
    while time.monotonic() < end:
        v = busctl_get("channel/1", "Channel", "Gain")
        if abs(v + 7.5) < 1e-9:
            break
        await asyncio.sleep(0.05)
    check(v is not None and abs(v + 7.5) < 1e-9, f"the gain slider set Gain on D-Bus ({v})")


async def busctl_shows(page):
    js = SLIDER.format(p="channel/1", k="Gain")
    times = []
    for value in (-3.0, -11.0, -5.0):
        t0 = time.monotonic()
        busctl_set("channel/1", "Channel", "Gain", "d", value)
        ok = await page.wait_for(f"Math.abs(Number({js}.value) - ({value})) < 1e-6", 3, 0.01)
        times.append((time.monotonic() - t0) * 1000 if ok else 1e9)
    med = sorted(times)[1]
    check(med <= 300, f"busctl set-property shows on the page in {med:.0f} ms (median of {len(times)}; ≤ 300)")


async def refused_snaps_back(page):
    js = SLIDER.format(p="channel/1", k="Gain")
    before = busctl_get("channel/1", "Channel", "Gain")
    # a stale or tampered control: a value past the server's range
    await page.eval(f"""(() => {{ const s = {js}; s.max = '1000'; s.value = '999';
        s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")
    shown = await page.wait_for("!document.getElementById('toast').hidden && "
                                "document.getElementById('toast').textContent", 3)
    back = await page.wait_for(f"Math.abs(Number({js}.value) - ({before})) < 1e-6", 3)
    after = busctl_get("channel/1", "Channel", "Gain")
    check(bool(shown) and "Gain" in str(shown), f"a refused value shows the server's message ({shown!r})")
    check(bool(back), "the refused slider snaps back to the server's value")
    check(after == before, f"Gain unchanged on D-Bus ({before} -> {after})")


async def fft_peak(page):
    busctl_set("analyzer", "Analyzer", "Source", "s", "channel/1")
    busctl_set("analyzer", "Analyzer", "FftEnabled", "b", "true")
    busctl_set("analyzer", "Analyzer", "SendFft", "b", "true")
    busctl_set("channel/1", "Channel", "Gain", "d", 0)
    await page.eval("location.hash = '#analyzer'")
    await page.wait_for("document.querySelector('canvas[data-fft]')", 10)
    hz = 2000
    tone = play("foh.ch1.capture", hz, -12, 4)
    try:
        got = await page.wait_for("window.fohLastFft && window.fohLastFft.length > 0", 6)
        await asyncio.sleep(1.5)
        r = await page.eval("""(() => {
          const c = document.querySelector('canvas[data-fft]');
          const g = c.getContext('2d'), d = g.getImageData(0, 0, c.width, c.height).data;
          let best = null;
          for (let y = 0; y < c.height && best === null; y++)
            for (let x = 0; x < c.width; x++) {
              const i = 4 * (y * c.width + x);
              if (d[i] === 0x3d && d[i + 1] === 0xdc && d[i + 2] === 0x84) { best = x; break; }
            }
          return { x: best, w: c.width, n: window.fohLastFft.length };
        })()""")
        fmin = busctl_get("analyzer", "Analyzer", "FftMinHz")
    finally:
        tone.wait()
    sr = json.loads(sh("busctl", "--user", "--json=short", "get-property", "org.foh.Foh1",
                       "/org/foh/Foh1", "org.foh.Foh1.Manager", "SampleRate"))["data"]
    fmax = sr / 2
    if not got or r["x"] is None:
        check(False, "the spectrum line is drawn")
        return
    f = fmin * (fmax / fmin) ** (r["x"] / r["w"])
    octave_per_bin = math.log2(fmax / fmin) / r["n"]
    err = abs(math.log2(f / hz))
    check(err <= 1.5 * octave_per_bin,
          f"the FFT canvas peaks at {f:.0f} Hz for a {hz} Hz tone ({err:.3f} octaves, bin {octave_per_bin:.3f})")


async def survives_restarts(page):
    await page.eval("location.hash = '#channels'")
    sh("sh", "-c", os.environ["RESTART_WEB"])
    down = await page.wait_for("document.getElementById('link').textContent.includes('unreachable')", 5, 0.02)
    up = await page.wait_for("document.getElementById('link').textContent === 'live'", 15)
    check(bool(up), f"foh-web restart: the page said so ({bool(down)}) and came back live")
    sh("sh", "-c", os.environ["KILL_FOHD"])
    said = await page.wait_for("document.getElementById('link').textContent.includes('fohd')", 10)
    sh("sh", "-c", os.environ["RESTART_FOHD"])
    up = await page.wait_for("document.getElementById('link').textContent === 'live'", 15)
    check(bool(said) and bool(up), f"fohd restart: the page said so ({bool(said)}) and came back ({bool(up)})")
    js = SLIDER.format(p="channel/1", k="Gain")
    await page.wait_for(js, 10)
    busctl_set("channel/1", "Channel", "Gain", "d", -4)
    ok = await page.wait_for(f"Math.abs(Number({js}.value) + 4) < 1e-6", 3)
    check(bool(ok), "after the restarts the page is live again (a D-Bus change shows)")


async def narrow(page):
    await page.viewport(390, 844, mobile=True)
    for v in VIEWS:
        await page.eval(f"location.hash = '#{v}'")
        await page.wait_for("document.querySelector('main .panel') !== null", 10)
        await asyncio.sleep(0.3)
        r = await page.eval("""(() => {
          document.querySelectorAll('details').forEach((d) => { d.open = true; });
          const w = document.documentElement.clientWidth;
          const bad = [];
          for (const e of document.querySelectorAll('input, button, select, a, canvas')) {
            const b = e.getBoundingClientRect();
            if (b.width === 0 && b.height === 0) continue;
            if (b.left < -0.5 || b.right > w + 0.5)
              bad.push((e.dataset.prop || e.textContent || e.tagName) + ' ' + b.left.toFixed(0) + '..' + b.right.toFixed(0));
          }
          return { scroll: document.documentElement.scrollWidth, w, bad: bad.slice(0, 5) };
        })()""")
        await page.screenshot(os.path.join(ART, f"view-{v}-390px.png"), full_page=True)
        check(r["scroll"] <= r["w"] and not r["bad"],
              f"{v} at 390 px: scrollWidth {r['scroll']} <= {r['w']}, controls outside: {r['bad']}")


async def main():
    os.makedirs(ART, exist_ok=True)
    async with Browser() as b:
        page = await b.new_page()
        await page.viewport(1280, 900)
        ok = await page.goto(URL)
        check(bool(ok), f"the page loads from {URL}")
        live = await page.wait_for("document.getElementById('link').textContent === 'live'", 10)
        check(bool(live), "the page reports a live link")
        await views_clean(page)
        await meter_matches(page)
        await slider_sets_gain(page)
        await busctl_shows(page)
        await refused_snaps_back(page)
        await fft_peak(page)
        await survives_restarts(page)
        await narrow(page)
    print(f"screenshots in {ART}")
    if failures:
        print(f"{len(failures)} failed", file=sys.stderr)
        sys.exit(1)


asyncio.run(main())
