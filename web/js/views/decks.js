// Decks: per deck transport, position, tempo, gain and kill EQ; the
// mixer's crossfader and BPM glide. (Loading tracks is fohctl's and
// foh-osc's for now: the server offers no music-folder listing yet.)
import { api, on, props, refresh } from '../api.js';
import { el, readout, slider, toggle, toast, action, choice } from '../controls.js';
import { controls, panel } from './common.js';

function clock(s) {
  if (!(s >= 0)) return '—';
  const m = Math.floor(s / 60);
  return `${m}:${(s - 60 * m).toFixed(1).padStart(4, '0')}`;
}

export default async function decks(root) {
  const m = await refresh('mixer');
  const grid = el('div', { class: 'grid' });
  root.append(el('h2', { text: 'Decks' }), grid);
  grid.append(panel('Mix',
    slider(root, 'mixer', 'Crossfader', { label: 'Crossfader' }),
    el('div', { class: 'row' }, toggle(root, 'mixer', 'CrossfaderEnabled', { label: 'Crossfader on' }),
      toggle(root, 'mixer', 'FollowBpm', { label: 'Follow BPM' })),
    el('p', { class: 'readout' }, 'BPM ', readout(root, 'mixer', 'CurrentBpm', (v) => (typeof v === 'number' ? v.toFixed(1) : '—')),
      ' → ', readout(root, 'mixer', 'TargetBpm', (v) => (typeof v === 'number' && v > 0 ? v.toFixed(1) : 'movement'))),
    ...controls(root, 'mixer', [['TargetBpm', 'Target BPM'], ['GlideSec', 'Glide', { unit: 's' }]])));
  for (const letter of ['a', 'b', 'c', 'd']) {
    const path = `deck/${letter}`;
    try { await refresh(path); } catch (e) { continue; }
    grid.append(panel(`Deck ${letter.toUpperCase()}`,
      el('p', { class: 'readout' }, readout(root, path, 'Path', (v) => String(v || '').split('/').pop() || '(empty)')),
      el('p', { class: 'big' }, readout(root, path, 'Position', clock), ' / ', readout(root, path, 'Duration', clock)),
      el('div', { class: 'row' },
        action('Play', () => api.method(path, 'Play')),
        action('Stop', () => api.method(path, 'Stop')),
        toggle(root, path, 'Loop', { label: 'Loop' })),
      slider(root, path, 'Gain', { label: 'Gain', unit: 'dB' }),
      slider(root, path, 'TempoRatio', { label: 'Tempo', fmt: (v) => `${(v * 100).toFixed(1)} %` }),
      choice(root, path, 'StretchMethod', ['rate', 'rubberband'], { label: 'Stretch' }),
      ...controls(root, path, [['TrackBpm', 'Track BPM'], ['EqLowDb', 'Low', { unit: 'dB' }],
        ['EqMidDb', 'Mid', { unit: 'dB' }], ['EqHighDb', 'High', { unit: 'dB' }]]),
      el('div', { class: 'row' }, ...['low', 'mid', 'high'].map((b) =>
        action(`Kill ${b}`, () => api.method(path, 'SetEqPercent', [b, 0]))))));
  }
  // position moves without PropertiesChanged: poll the playing decks
  const t = setInterval(async () => {
    for (const letter of ['a', 'b', 'c', 'd']) {
      const path = `deck/${letter}`;
      if (props(path).Playing) { try { await refresh(path); } catch (e) { /* banner */ } }
    }
  }, 500);
  (root.cleanup || (root.cleanup = [])).push(() => clearInterval(t));
  void m; void on; void toast;
}
