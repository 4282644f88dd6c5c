// Controls bound to a property of a foh object. Each shows what the server
// last reported; a change is sent and the control then follows the
// server's answer: a refused value snaps back and the server's message is
// shown. Sliders stream while dragging (one request in flight, the newest
// value next) and commit on release, like the feature server's UI.
import { api, on, props } from './api.js';

let toastTimer = 0;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}

// Property ranges from openapi.json's components.schemas.<Kind>: fohd's own
// parameter tables (minimum, maximum, enum, default, unit, readOnly).
const schema = new Map();
export function loadSchema(doc) {
  const comps = (doc && doc.components && doc.components.schemas) || {};
  for (const [name, s] of Object.entries(comps)) {
    if (s && s.properties) schema.set(name, s.properties);
  }
}
function kindOf(path) {
  const k = path.split('/')[0];
  return { manager: 'Manager', channel: 'Channel', analyzer: 'Analyzer', x32: 'X32',
    stabilizer: 'Stabilizer', deck: 'Deck', mixer: 'Mixer', content: 'Content', profiles: 'Profiles' }[k] || k;
}
export function rangeOf(path, prop) {
  const p = (schema.get(kindOf(path)) || {})[prop] || {};
  return { min: p.minimum, max: p.maximum, enum: p.enum, unit: p['x-unit'],
    integer: p.type === 'integer' };
}

// A round step near 1/100 of the range (1, 2 or 5 times a power of ten);
// integers step by 1.
function stepOf(min, max, integer) {
  if (integer) return 1;
  const raw = (max - min) / 100;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [5, 2, 1].map((m) => m * p).find((s) => s <= raw) || p;
}

let uid = 0;
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid) e.append(kid);
  return e;
}
export { el };

async function send(path, prop, value) {
  return api.patch(path, { [prop]: value });
}

function watch(path, prop, fn, root) {
  const off = on('props', (p, changed) => {
    if (p === path && prop in changed) fn(changed[prop]);
  });
  if (root) (root.cleanup || (root.cleanup = [])).push(off);
  const cur = props(path)[prop];
  if (cur !== undefined) fn(cur);
}

export function slider(root, path, prop, o = {}) {
  const r = rangeOf(path, prop);
  const min = o.min ?? r.min ?? 0, max = o.max ?? r.max ?? 100;
  const step = o.step ?? stepOf(min, max, r.integer);
  const unit = o.unit ?? r.unit;
  const digits = Math.max(0, Math.min(3, -Math.floor(Math.log10(step))));
  const fmt = o.fmt || ((v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(digits)) + (unit ? ` ${unit}` : ''));
  const id = `c${++uid}`;
  const input = el('input', { type: 'range', id, min, max, step, 'data-prop': prop, 'data-path': path });
  const out = el('output', { for: id });
  const box = el('div', { class: 'ctl' }, el('label', { for: id, text: o.label || prop }), input, out);
  let server = null, dragging = false, committing = false, inflight = false, queued = null;
  let seen = 0;	// server values announced so far

  // while dragging or committing, the server's echoes of the streamed
  // values do not move the slider back under the hand
  const show = (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    server = v;
    seen++;
    if (!dragging && !committing) input.value = v;
    out.textContent = fmt(v);
  };
  const refuse = (e) => {
    box.classList.add('refused');
    toast(`${o.label || prop}: ${e.message}`);
    if (server !== null) { input.value = server; out.textContent = fmt(server); }
    setTimeout(() => box.classList.remove('refused'), 1500);
  };
  const pump = async () => {
    if (inflight || queued === null) return;
    const v = queued;
    queued = null;
    inflight = true;
    try { await send(path, prop, v); } catch (e) { queued = null; dragging = false; refuse(e); }
    inflight = false;
    pump();
  };
  input.addEventListener('pointerdown', () => { dragging = true; });
  input.addEventListener('input', () => {
    out.textContent = fmt(Number(input.value));
    if (o.stream !== false) { queued = Number(input.value); pump(); }
  });
  input.addEventListener('change', async () => {
    dragging = false;
    queued = null;
    const v = Number(input.value);
    committing = true;
    const before = seen;
    try {
      const now = await send(path, prop, v);
      committing = false;
      // the events are in the server's order, the reply is not in theirs:
      // a value announced while the commit was under way (another client,
      // busctl) may be newer than the reply, so the last one announced
      // wins; with none, the object as the server holds it after the commit
      if (seen !== before) show(server);
      else if (now && prop in now) show(now[prop]);
    } catch (e) { committing = false; refuse(e); }
  });
  watch(path, prop, show, root);
  return box;
}

export function toggle(root, path, prop, o = {}) {
  const b = el('button', { type: 'button', 'aria-pressed': 'false', 'data-prop': prop,
    'data-path': path, class: o.class || '', text: o.label || prop });
  let server = false;
  const show = (v) => {
    server = !!v;
    b.setAttribute('aria-pressed', String(server));
    b.classList.toggle('on', server);
  };
  b.addEventListener('click', async () => {
    try { await send(path, prop, !server); } catch (e) { toast(`${o.label || prop}: ${e.message}`); show(server); }
  });
  watch(path, prop, show, root);
  return b;
}

export function text(root, path, prop, o = {}) {
  const id = `c${++uid}`;
  const input = el('input', { type: o.type || 'text', id, 'data-prop': prop, 'data-path': path,
    placeholder: o.placeholder || '' });
  const box = el('div', { class: 'ctl' }, el('label', { for: id, text: o.label || prop }), input, el('span'));
  let server = '';
  const show = (v) => { server = v; if (document.activeElement !== input) input.value = v ?? ''; };
  const commit = async () => {
    let v = input.value;
    if (o.type === 'number') v = Number(v);
    if (v === server) return;
    try { await send(path, prop, v); } catch (e) { toast(`${o.label || prop}: ${e.message}`); input.value = server; }
  };
  input.addEventListener('change', commit);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') input.blur(); });
  watch(path, prop, show, root);
  return box;
}

export function choice(root, path, prop, values, o = {}) {
  const id = `c${++uid}`;
  const sel = el('select', { id, 'data-prop': prop, 'data-path': path });
  for (const v of values) sel.append(el('option', { value: v, text: v === '' ? '(none)' : v }));
  const box = el('div', { class: 'ctl' }, el('label', { for: id, text: o.label || prop }), sel, el('span'));
  let server = '';
  const show = (v) => { server = v; sel.value = v; };
  sel.addEventListener('change', async () => {
    let v = sel.value;
    if (o.number) v = Number(v);
    try { await send(path, prop, v); } catch (e) { toast(`${o.label || prop}: ${e.message}`); sel.value = server; }
  });
  watch(path, prop, show, root);
  return box;
}

export function readout(root, path, prop, fmt = (v) => String(v)) {
  const s = el('span', { class: 'val', 'data-prop': prop, 'data-path': path });
  watch(path, prop, (v) => { s.textContent = fmt(v); }, root);
  return s;
}

export function action(label, fn) {
  const b = el('button', { type: 'button', text: label });
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await fn(); } catch (e) { toast(`${label}: ${e.message}`); }
    b.disabled = false;
  });
  return b;
}

// The writable properties of an object, from openapi.json.
export function writable(path) {
  const s = schema.get(kindOf(path)) || {};
  return new Set(Object.entries(s).filter(([, p]) => !p.readOnly).map(([k]) => k));
}
