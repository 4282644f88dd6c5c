// Decks: per deck transport, position, tempo, gain and kill EQ; the
// mixer's crossfader and BPM glide; tracks loaded from the list foh-web
// offers of its music folder (GET /api/v1/music, [web] music-dir) — a deck
// is sent the listed path, and foh-web refuses anything outside the folder.
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
  // the music folder's tracks
  const tracks = el('select', { id: 'music-tracks', 'aria-label': 'track from the music folder' });
  const note = el('p', { class: 'readout', id: 'music-note' });
  let music = { files: [] };
  try { music = await api.get('music'); } catch (e) { music = { files: [], message: e.message }; }
  tracks.replaceChildren(...(music.files || []).map((f) => el('option', { value: f.path, text: f.path })));
  tracks.disabled = !(music.files || []).length;
  note.className = music.message ? 'err' : 'readout';
  note.textContent = music.message ? music.message
    : `${music.files.length} tracks in ${music.dir}${music.truncated ? ' (list capped)' : ''}`;
  grid.append(panel('Music folder', tracks, note));
  const load = (path) => action('Load', async () => {
    if (!tracks.value) throw new Error('no track chosen from the music folder');
    await api.method(path, 'Load', { path: tracks.value });
    await refresh(path);
  });
  for (const letter of ['a', 'b', 'c', 'd']) {
    const path = `deck/${letter}`;
    try { await refresh(path); } catch (e) { continue; }
    const loadBtn = load(path);
    loadBtn.setAttribute('aria-label', `load the chosen track on deck ${letter.toUpperCase()}`);
    loadBtn.dataset.deck = letter;
    loadBtn.disabled = tracks.disabled;
    grid.append(panel(`Deck ${letter.toUpperCase()}`,
      el('p', { class: 'readout' }, readout(root, path, 'Path', (v) => String(v || '').split('/').pop() || '(empty)')),
      el('div', { class: 'row' }, loadBtn),
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
