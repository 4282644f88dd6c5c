// Analyzer: L/M/H bars and 10 s lines, the FFT spectrum on a log-frequency
// axis with the three bands drawn on it and draggable, and every setting.
import { api, on, props, refresh } from '../api.js';
import { el, text, toast, writable, action } from '../controls.js';
import { colors, live } from '../draw.js';
import { controls, others, panel, section } from './common.js';

const PATH = 'analyzer';

export default async function analyzer(root) {
  const p = await refresh(PATH);
  const lmh = { l: 0, m: 0, h: 0 };
  const lines = [];
  let fft = null;
  // the log bins' axis: edges f_min (f_max / f_min)^(j / n), f_max = sr / 2
  const fmin = () => Math.max(1, props(PATH).FftMinHz || 30);
  const fmax = () => (props('manager').SampleRate || 48000) / 2;
  const xOf = (hz, w) => w * Math.log(hz / fmin()) / Math.log(fmax() / fmin());
  const hzOf = (x, w) => fmin() * Math.pow(fmax() / fmin(), x / w);
  try { await refresh('manager'); } catch (e) { /* the rate defaults to 48 kHz */ }

  const bars = el('canvas', { class: 'graph', role: 'img', 'aria-label': 'low, mid, high energies' });
  const barsDraw = live(bars, (g, w, h) => {
    g.fillStyle = colors.bg;
    g.fillRect(0, 0, w, h);
    const bw = w * 0.08;
    [['l', colors.low], ['m', colors.mid], ['h', colors.high]].forEach(([k, c], i) => {
      g.fillStyle = c;
      g.fillRect(i * bw * 1.2 + 4, h * (1 - lmh[k]), bw, h * lmh[k]);
    });
    const x0 = bw * 3.8, lw = w - x0;
    [['l', colors.low], ['m', colors.mid], ['h', colors.high]].forEach(([k, c], i) => {
      g.strokeStyle = c;
      g.lineWidth = 2;
      g.beginPath();
      lines.forEach((s, j) => {
        const x = x0 + lw * j / 600, y = h * (1 - s[i]);
        if (j === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    });
  });
  const spec = el('canvas', { class: 'fft', role: 'img', 'aria-label': 'spectrum, log frequency', 'data-fft': '' });
  const bandColor = { low: colors.low, mid: colors.mid, high: colors.high };
  const specDraw = live(spec, (g, w, h) => {
    g.fillStyle = colors.bg;
    g.fillRect(0, 0, w, h);
    g.fillStyle = colors.grid;
    g.font = `${Math.max(10, h / 18)}px system-ui`;
    for (const hz of [50, 100, 200, 500, 1000, 2000, 5000, 10000]) {
      const x = xOf(hz, w);
      g.fillRect(x, 0, 1, h);
      g.fillStyle = colors.text;
      g.fillText(hz >= 1000 ? `${hz / 1000}k` : String(hz), x + 2, h - 4);
      g.fillStyle = colors.grid;
    }
    for (const [name, lo, hi] of props(PATH).Bands || []) {
      g.fillStyle = bandColor[name] || colors.accent;
      g.globalAlpha = 0.15;
      g.fillRect(xOf(lo, w), 0, xOf(hi, w) - xOf(lo, w), h);
      g.globalAlpha = 1;
      g.fillRect(xOf(lo, w) - 1, 0, 2, h);
      g.fillRect(xOf(hi, w) - 1, 0, 2, h);
    }
    if (!fft || fft.length === 0) return;
    g.strokeStyle = colors.green;
    g.lineWidth = 2;
    g.beginPath();
    // bin j at its centre sqrt(e_j e_j+1): x = w (j + 1/2) / n
    for (let i = 0; i < fft.length; i++) {
      const x = w * (i + 0.5) / fft.length, v = Math.max(0, Math.min(1, fft[i]));
      if (i === 0) g.moveTo(x, h * (1 - v)); else g.lineTo(x, h * (1 - v));
    }
    g.stroke();
  });
  // dragging a band edge: the nearest edge within 12 px follows the pointer
  let drag = null;
  spec.addEventListener('pointerdown', (e) => {
    const r = spec.getBoundingClientRect(), x = e.clientX - r.left;
    let best = null;
    for (const [name, lo, hi] of props(PATH).Bands || []) {
      for (const [edge, hz] of [['lo', lo], ['hi', hi]]) {
        const d = Math.abs(xOf(hz, r.width) - x);
        if (d < 12 && (!best || d < best.d)) best = { d, name, edge, lo, hi };
      }
    }
    if (best) { drag = best; spec.setPointerCapture(e.pointerId); }
  });
  spec.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const r = spec.getBoundingClientRect();
    drag[drag.edge] = Math.round(hzOf(e.clientX - r.left, r.width));
    const b = (props(PATH).Bands || []).map((x) => (x[0] === drag.name ? [x[0], drag.lo, drag.hi] : x));
    props(PATH).Bands = b;
    specDraw.touch();
  });
  spec.addEventListener('pointerup', async () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    try { await api.method(PATH, 'SetBand', [d.name, d.lo, d.hi]); } catch (e) { toast(`band ${d.name}: ${e.message}`); }
    try { await refresh(PATH); } catch (e) { /* the link banner says it */ }
    specDraw.touch();
  });
  const offs = [
    on('lmh', (v) => {
      lmh.l = v.l ?? v.low ?? 0; lmh.m = v.m ?? v.mid ?? 0; lmh.h = v.h ?? v.high ?? 0;
      lines.push([lmh.l, lmh.m, lmh.h]);
      if (lines.length > 600) lines.shift();
      barsDraw.touch();
    }),
    on('fft', (bins) => { fft = bins; specDraw.touch(); window.fohLastFft = bins; }),
    on('props', (path) => { if (path === PATH) specDraw.touch(); }),
  ];
  (root.cleanup || (root.cleanup = [])).push(...offs);

  const SETTINGS = [['FftEnabled', 'FFT'], ['SendFft', 'Send FFT'], ['RawDb', 'Raw dB'], ['FilterOrder', 'Filter order'],
    ['LowAttack', 'Low attack'], ['MidAttack', 'Mid attack'], ['HighAttack', 'High attack'],
    ['LowRelease', 'Low release'], ['MidRelease', 'Mid release'], ['HighRelease', 'High release'],
    ['AutoscaleAttack', 'Autoscale attack'], ['AutoscaleRelease', 'Autoscale release'], ['NoiseFloor', 'Noise floor'],
    ['Strength', 'Strength'], ['FftWindow', 'FFT window'], ['FftHop', 'FFT hop'], ['FftBins', 'FFT bins'],
    ['FftMinHz', 'FFT min', { unit: 'Hz' }], ['PeakSmear', 'Peak smear']];
  const shown = new Set(['Source', ...SETTINGS.map((s) => s[0])]);
  const rest = others(root, PATH, shown, writable(PATH));
  const presetSel = el('select', { 'aria-label': 'presets' });
  const fillPresets = async () => {
    try {
      const r = await api.method(PATH, 'ListPresets');
      presetSel.replaceChildren(...(r.names || []).map((n) => el('option', { value: n, text: n })));
    } catch (e) { /* none */ }
  };
  fillPresets();
  const presetName = el('input', { type: 'text', 'aria-label': 'preset name', placeholder: 'name' });
  root.append(el('h2', { text: 'Analyzer' }), el('div', { class: 'grid' },
    panel('Energies', bars, el('p', { class: 'readout' }, `BPM `, el('span', { 'data-prop': 'Bpm', text: typeof p.Bpm === 'number' && p.Bpm > 0 ? p.Bpm.toFixed(1) : '—' }))),
    panel('Spectrum', spec, el('p', { class: 'readout', text: 'Drag a band edge to move it.' })),
    panel('Settings', text(root, PATH, 'Source', { label: 'Source' }), ...controls(root, PATH, SETTINGS),
      ...(rest.length ? [section('More', rest)] : [])),
    panel('Presets', el('div', { class: 'row' }, presetSel,
      action('Load', async () => { await api.method(PATH, 'LoadPreset', [presetSel.value]); await refresh(PATH); })),
    el('div', { class: 'row' }, presetName,
      action('Save', async () => { await api.method(PATH, 'SavePreset', [presetName.value]); await fillPresets(); })))));
}
