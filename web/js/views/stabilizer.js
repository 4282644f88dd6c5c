// Stabilizer: target, measured loudness, fader/gain, state, a 60 s
// history graph and the knobs.
import { on, props, refresh } from '../api.js';
import { el, readout, slider, toggle, text, choice, writable } from '../controls.js';
import { colors, db as level, live } from '../draw.js';
import { controls, others, panel, section } from './common.js';

const PATH = 'stabilizer';
const KNOBS = [['SlewDb', 'Slew', { unit: 'dB' }], ['FastTauSec', 'Fast τ', { unit: 's' }],
  ['SlowTauSec', 'Slow τ', { unit: 's' }], ['Smoothing', 'Smoothing'], ['DeadbandDb', 'Deadband', { unit: 'dB' }],
  ['SceneThresholdDb', 'Scene threshold', { unit: 'dB' }], ['SceneDeadbandDb', 'Scene deadband', { unit: 'dB' }],
  ['SceneSlewDb', 'Scene slew', { unit: 'dB' }], ['FarDb', 'Far', { unit: 'dB' }], ['FarSlewFactor', 'Far slew ×'],
  ['SilenceThresholdDb', 'Silence below', { unit: 'dB' }], ['SilenceHoldSec', 'Silence hold', { unit: 's' }],
  ['MinFaderDb', 'Fader min', { unit: 'dB' }], ['MaxFaderDb', 'Fader max', { unit: 'dB' }],
  ['IntervalSec', 'Interval', { unit: 's' }], ['PauseSec', 'Pause after manual', { unit: 's' }],
  ['ModerateStepDb', 'Moderate step (leveler)', { unit: 'dB' }]];

export default async function stabilizer(root) {
  const p = await refresh(PATH);
  const hist = [];	// [t ms, level, output, fader, target]
  const canvas = el('canvas', { class: 'graph', role: 'img', 'aria-label': 'stabilizer history, 60 s' });
  const g = live(canvas, (c, w, h) => {
    c.fillStyle = colors.bg;
    c.fillRect(0, 0, w, h);
    const now = performance.now(), lo = -60, hi = 0;
    const y = (db) => h * (1 - (Math.max(lo, Math.min(hi, db)) - lo) / (hi - lo));
    c.fillStyle = colors.grid;
    for (let d = lo; d <= hi; d += 10) c.fillRect(0, y(d), w, 1);
    const line = (k, color) => {
      c.strokeStyle = color;
      c.lineWidth = 2;
      c.beginPath();
      let first = true;
      for (const s of hist) {
        const x = w * (1 - (now - s[0]) / 60000);
        if (!(level(s[k]) > -200)) { first = true; continue; }
        if (first) c.moveTo(x, y(s[k])); else c.lineTo(x, y(s[k]));
        first = false;
      }
      c.stroke();
    };
    line(4, '#888');
    line(1, colors.accent);
    line(2, colors.green);
    line(3, colors.yellow);
  });
  const sample = () => {
    const s = props(PATH);
    hist.push([performance.now(), s.LevelDb, s.OutputDb, s.FaderDb, s.TargetDb]);
    while (hist.length && performance.now() - hist[0][0] > 60000) hist.shift();
    g.touch();
  };
  const off1 = on('props', (path) => { if (path === PATH) sample(); });
  const off2 = on('stabilizer', (t) => {
    const s = props(PATH);
    for (const k of ['LevelDb', 'OutputDb', 'FaderDb', 'State', 'TargetDb']) {
      const src = t[k] ?? t[k.replace(/Db$/, '_db').toLowerCase()];
      if (src !== undefined) s[k] = src;
    }
    sample();
  });
  const tick = setInterval(sample, 1000);
  (root.cleanup || (root.cleanup = [])).push(off1, off2, () => clearInterval(tick));
  const db = (v) => (level(v) > -100 ? `${v.toFixed(1)} dB` : '—');
  const shown = new Set(['Enabled', 'Source', 'Output', 'Mode', 'MeterPoint', 'TargetDb', ...KNOBS.map((k) => k[0])]);
  const rest = others(root, PATH, shown, writable(PATH));
  root.append(el('h2', { text: 'Stabilizer' }), el('div', { class: 'grid' },
    panel('Now',
      el('div', { class: 'row' }, toggle(root, PATH, 'Enabled', { label: 'Riding' }),
        el('span', { class: 'big' }, readout(root, PATH, 'State'))),
      el('div', { class: 'row readout' }, 'level ', readout(root, PATH, 'LevelDb', db),
        ' output ', readout(root, PATH, 'OutputDb', db), ' fader ', readout(root, PATH, 'FaderDb', db)),
      slider(root, PATH, 'TargetDb', { label: 'Target', unit: 'dB' }),
      canvas,
      el('p', { class: 'readout', text: 'blue: level · green: output · yellow: fader · grey: target' })),
    panel('Routing',
      choice(root, PATH, 'Mode', ['local', 'x32'].includes(p.Mode) ? ['local', 'x32'] : [p.Mode, 'local', 'x32'], { label: 'Mode' }),
      text(root, PATH, 'Source', { label: 'Source' }),
      text(root, PATH, 'Output', { label: 'Output' }),
      text(root, PATH, 'MeterPoint', { label: 'Meter point' })),
    panel('Tuning', ...controls(root, PATH, KNOBS), ...(rest.length ? [section('More', rest)] : []))));
}
