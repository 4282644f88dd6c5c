#!/usr/bin/python3
"""Benchmark: the browser UI with 16 channels moving and the analyzer
streaming. Prints, over a 10 s window in headless Chromium:
  BENCH web_ui view=V fps=… draw_ms_per_frame=… main_thread_ms_per_frame=…
        script_ms_per_s=… foh_web_cpu_pct=…
fps from the page's own frame counter (requestAnimationFrame), draw time
from the same, main-thread time per frame from the DevTools Performance
metrics (TaskDuration delta / frames), foh-web's CPU from /proc. Then
  BENCH web_ui_latency n=… p50_ms=… max_ms=…
from busctl set-property of channel 1's Gain to the page's slider showing
the value (wall clock before busctl; Date.now() in a MutationObserver).
Usage: bench-web-ui.py URL FOH_WEB_PID"""
import asyncio
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["FOH_TESTS"], "tools"))
from cdp import Browser  # noqa: E402

URL, PID = sys.argv[1], int(sys.argv[2])
HZ = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


async def main():
    async with Browser() as b:
        page = await b.new_page()
        await page.viewport(1280, 900)
        await page.goto(URL)
        await page.wait_for("document.getElementById('link').textContent === 'live'", 10)
        for view in ("channels", "analyzer"):
            await page.eval(f"location.hash = '#{view}'")
            await page.wait_for("document.querySelector('main .panel') !== null", 10)
            await asyncio.sleep(2)
            m0 = await page.metrics()
            f0 = await page.eval("({c: window.fohFrames.count, ms: window.fohFrames.busyMs})")
            c0 = cpu_ticks(PID)
            await asyncio.sleep(10)
            m1 = await page.metrics()
            f1 = await page.eval("({c: window.fohFrames.count, ms: window.fohFrames.busyMs})")
            c1 = cpu_ticks(PID)
            n = max(1, f1["c"] - f0["c"])
            task = (m1.get("TaskDuration", 0) - m0.get("TaskDuration", 0)) * 1000
            script = (m1.get("ScriptDuration", 0) - m0.get("ScriptDuration", 0)) * 1000
            print(f"BENCH web_ui view={view} fps={n / 10:.1f} "
                  f"draw_ms_per_frame={(f1['ms'] - f0['ms']) / n:.3f} "
                  f"main_thread_ms_per_frame={task / n:.3f} script_ms_per_s={script / 10:.1f} "
                  f"foh_web_cpu_pct={100 * (c1 - c0) / HZ / 10:.2f}", flush=True)

        await page.eval("location.hash = '#channels'")
        gain = 'document.querySelector(\'input[data-path="channel/1"][data-prop="Gain"]\')'
        await page.wait_for(gain, 10)
        lat = []
        for i in range(20):
            v = -20 + i * 0.5
            await page.eval(f"window.seenAt = 0; window.obs && window.obs.disconnect();"
                            f"window.obs = new MutationObserver(() => {{ if (Number({gain}.value) === {v}"
                            f" && !window.seenAt) window.seenAt = Date.now(); }});"
                            f"window.obs.observe({gain}.parentElement, {{subtree: true, childList: true,"
                            " characterData: true, attributes: true})")
            t0 = time.time() * 1000
            subprocess.run(["busctl", "--user", "--", "set-property", "org.foh.Foh1", "/org/foh/Foh1/channel/1",
                            "org.foh.Foh1.Channel", "Gain", "d", str(v)], check=True)
            seen = await page.wait_for("window.seenAt", 10)
            if seen:
                lat.append(seen - t0)
            await asyncio.sleep(0.1)
        if lat:
            print(f"BENCH web_ui_latency n={len(lat)} p50_ms={statistics.median(lat):.1f} "
                  f"max_ms={max(lat):.1f}", flush=True)


asyncio.run(main())
