// Channels: a strip per channel — meters at display rate with peak hold,
// loudness, gain, mute and push-to-talk, then the strip's stages and
// effects (and whatever other settings the channel has) in sections.
import { api, on, props, refresh } from '../api.js';
import { el, slider, toggle, writable } from '../controls.js';
import { colors, db, dbPos, live } from '../draw.js';
import { controls, others, panel, section } from './common.js';

const STAGES = [
  ['Gate', [['GateEnabled', 'On'], ['GateThreshold', 'Threshold', { unit: 'dB' }],
    ['GateRange', 'Range', { unit: 'dB' }], ['GateAttack', 'Attack', { unit: 'ms' }],
    ['GateHold', 'Hold', { unit: 'ms' }], ['GateRelease', 'Release', { unit: 'ms' }]]],
  ['Compressor', [['CompEnabled', 'On'], ['CompThreshold', 'Threshold', { unit: 'dB' }],
    ['CompRatio', 'Ratio'], ['CompKnee', 'Knee', { unit: 'dB' }], ['CompAttack', 'Attack', { unit: 'ms' }],
    ['CompRelease', 'Release', { unit: 'ms' }], ['CompMakeup', 'Makeup', { unit: 'dB' }]]],
  ['EQ', [['EqEnabled', 'On'], ['EqHighpass', 'High-pass', { unit: 'Hz' }],
    ...[1, 2, 3, 4].flatMap((b) => [[`EqBand${b}Freq`, `Band ${b} freq`, { unit: 'Hz' }],
      [`EqBand${b}Gain`, `Band ${b} gain`, { unit: 'dB' }], [`EqBand${b}Q`, `Band ${b} Q`]])]],
  ['Limiter', [['LimiterEnabled', 'On'], ['LimiterCeiling', 'Ceiling', { unit: 'dB' }],
    ['LimiterRelease', 'Release', { unit: 'ms' }], ['LimiterTruePeak', 'True peak']]],
  ['Effects', [['ChorusEnabled', 'Chorus'], ['ChorusRateHz', 'Rate', { unit: 'Hz' }],
    ['ChorusDepthMs', 'Depth', { unit: 'ms' }], ['ChorusVoices', 'Voices', { step: 1 }], ['ChorusMix', 'Mix', { unit: '%' }],
    ['DelayEnabled', 'Delay'], ['DelayTimeMs', 'Time', { unit: 'ms' }], ['DelayFeedback', 'Feedback', { unit: '%' }],
    ['DelayMix', 'Mix', { unit: '%' }], ['DelayHighCutHz', 'High cut', { unit: 'Hz' }], ['DelaySync', 'Sync'],
    ['DelayPingPong', 'Ping-pong'], ['ReverbEnabled', 'Reverb'], ['ReverbMix', 'Mix', { unit: '%' }],
    ['ReverbDecaySec', 'Decay', { unit: 's' }], ['ReverbPreDelayMs', 'Pre-delay', { unit: 'ms' }],
    ['ReverbDamping', 'Damping'], ['ReverbSize', 'Size'], ['Width', 'Width', { unit: '%' }]]],
];
const TOP = ['Name', 'Gain', 'Mute', 'GateOpen'];
const HIDDEN = new Set(['Input', 'Output', 'AudioChannels']);

// Levels per channel with peak hold (2 s, then falling 20 dB/s).
function meterState() {
  return { peak: -Infinity, rms: -Infinity, vu: -Infinity, gr: 0, hold: -Infinity, holdT: 0,
    lufsM: -Infinity, lufsS: -Infinity };
}

function drawMeter(st) {
  return (g, w, h) => {
    const now = performance.now();
    if (now - st.holdT > 2000) st.hold = Math.max(st.peak, st.hold - 20 * (now - st.holdT - 2000) / 1000);
    g.fillStyle = colors.bg;
    g.fillRect(0, 0, w, h);
    const bar = (x, bw, db, color) => {
      const y = h * (1 - dbPos(db));
      g.fillStyle = color;
      g.fillRect(x, y, bw, h - y);
    };
    const bw = w * 0.22;
    bar(w * 0.04, bw, st.peak, st.peak > -1 ? colors.red : st.peak > -9 ? colors.yellow : colors.green);
    bar(w * 0.30, bw, st.rms, colors.accent);
    bar(w * 0.56, bw, st.vu, colors.green);
    // gain reduction from the top
    g.fillStyle = colors.yellow;
    g.fillRect(w * 0.82, 0, w * 0.14, h * Math.min(1, st.gr / 24));
    // peak hold line
    g.fillStyle = '#fff';
    g.fillRect(w * 0.04, h * (1 - dbPos(st.hold)) - 1, bw, 2);
    // scale
    g.fillStyle = colors.text;
    g.font = `${Math.max(9, h / 16)}px system-ui`;
    for (const d of [0, -6, -12, -24, -40]) {
      const y = h * (1 - dbPos(d));
      g.fillRect(0, y, w * 0.03, 1);
    }
  };
}

function fmtDb(v) { return db(v) > -100 ? v.toFixed(1) : '−∞'; }

async function strip(root, path, index) {
  const p = await refresh(path);
  const st = meterState();
  const canvas = el('canvas', { class: 'meter', role: 'img', 'aria-label': `channel ${index} meter` });
  const meter = live(canvas, drawMeter(st));
  root.meters.set(index, { st, meter });
  const read = el('div', { class: 'readout', 'data-readout': `channel/${index}` });
  const upd = () => {
    Object.assign(read.dataset, { peak: st.peak, vu: st.vu, rms: st.rms, lufsM: st.lufsM, lufsS: st.lufsS });
    read.textContent = `peak ${fmtDb(st.peak)}  VU ${fmtDb(st.vu)}  LUFS M ${fmtDb(st.lufsM)} S ${fmtDb(st.lufsS)}  GR ${st.gr.toFixed(1)}`;
  };
  st.update = upd;
  upd();
  const name = el('span', { class: 'big', text: p.Name || `Channel ${index}` });
  const talk = el('button', { type: 'button', text: 'Talk', 'aria-label': `push to talk, channel ${index}` });
  const ptt = async (on_) => {
    try { await api.patch(path, { Mute: !on_, GateOpen: on_ }); } catch (e) { /* shown by the toggles */ }
  };
  talk.addEventListener('pointerdown', () => ptt(true));
  talk.addEventListener('pointerup', () => ptt(false));
  talk.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) ptt(true); });
  talk.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') ptt(false); });
  const shown = new Set([...TOP, ...HIDDEN]);
  const sections = STAGES.map(([title, spec]) => {
    spec.forEach(([k]) => shown.add(k));
    return section(title, controls(root, path, spec));
  });
  const rest = others(root, path, shown, writable(path));
  if (rest.length) sections.push(section('More', rest));
  return panel(null,
    el('div', { class: 'strip-head' }, name, el('span', { class: 'readout', text: `ch ${index}` })),
    canvas, read,
    slider(root, path, 'Gain', { label: 'Gain', unit: 'dB' }),
    el('div', { class: 'row' }, toggle(root, path, 'Mute', { label: 'Mute', class: 'mute' }),
      toggle(root, path, 'GateOpen', { label: 'Gate open' }), talk),
    ...sections);
}

export default async function channels(root) {
  root.meters = new Map();
  const m = await refresh('manager');
  const grid = el('div', { class: 'grid' });
  root.append(el('h2', { text: 'Channels' }), grid);
  const paths = (m.Channels || []).map((o) => String(o).replace(/^\/org\/foh\/Foh1\//, ''));
  for (const path of paths) {
    const index = Number(path.split('/')[1]);
    grid.append(await strip(root, path, index));
  }
  (root.cleanup || (root.cleanup = [])).push(on('levels', (ch, l) => {
    const m_ = root.meters.get(Number(ch));
    if (!m_) return;
    const st = m_.st;
    st.peak = db(l.peak_db); st.rms = db(l.rms_db); st.vu = db(l.vu_db);
    st.gr = Math.max(0, db(l.gain_reduction_db));
    st.lufsM = db(l.lufs_m); st.lufsS = db(l.lufs_s);
    if (st.peak >= st.hold) { st.hold = st.peak; st.holdT = performance.now(); }
    st.update();
    m_.meter.touch();
  }));
  void props;
}
