#!/usr/bin/python3
"""Benchmark: the browser UI with 16 channels moving and the analyzer
streaming. Prints, over a 10 s window in headless Chromium:
  BENCH web_ui view=V fps=… draw_ms_per_frame=… main_thread_ms_per_frame=…
        script_ms_per_s=… foh_web_cpu_pct=…
fps from the page's own frame counter (requestAnimationFrame), draw time
from the same, main-thread time per frame from the DevTools Performance
metrics (TaskDuration delta / frames), foh-web's CPU from /proc.
Usage: bench-web-ui.py URL FOH_WEB_PID"""
import asyncio
import os
import sys

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


asyncio.run(main())
