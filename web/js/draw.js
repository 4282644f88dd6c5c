// Canvas drawing at display rate: one requestAnimationFrame loop for every
// live canvas on the page (meters, graphs, the spectrum), each redrawn
// only when its data changed or its size did; sizes follow the CSS box
// and the device pixel ratio. Frame times are kept for the benchmark.
const items = new Set();
export const frames = { count: 0, busyMs: 0 };

export function live(canvas, draw) {
  const item = { canvas, draw, dirty: true, w: 0, h: 0 };
  items.add(item);
  return {
    touch() { item.dirty = true; },
    stop() { items.delete(item); },
  };
}

function tick() {
  const t0 = performance.now();
  const dpr = window.devicePixelRatio || 1;
  for (const it of items) {
    const c = it.canvas;
    if (!c.isConnected) { items.delete(it); continue; }
    const w = Math.round(c.clientWidth * dpr), h = Math.round(c.clientHeight * dpr);
    if (w === 0 || h === 0) continue;
    if (w !== it.w || h !== it.h) {
      c.width = w; c.height = h; it.w = w; it.h = h; it.dirty = true;
    }
    if (!it.dirty) continue;
    it.dirty = false;
    const g = c.getContext('2d');
    it.draw(g, w, h, dpr);
  }
  frames.count++;
  frames.busyMs += performance.now() - t0;
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

// A level from the server: JSON has no infinities, so silence (−∞) and
// "no value" arrive as null; both read as −∞ here.
export function db(v) {
  return typeof v === 'number' && !Number.isNaN(v) ? v : -Infinity;
}

// dBFS → 0..1 on a meter scale from floor to 0 dB.
export function dbPos(db, floor = -60) {
  if (!(db > floor)) return 0;
  return Math.min(1, (db - floor) / -floor);
}

export const colors = {
  bg: '#05070a', grid: '#26303a', text: '#a9b4c0', green: '#3ddc84', yellow: '#ffcc33',
  red: '#ff5c5c', accent: '#4fc3ff', low: '#ff6b6b', mid: '#ffd166', high: '#4fc3ff',
};
