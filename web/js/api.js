// The UI's link to foh-web: REST calls on /api/v1 and the events
// WebSocket, with reconnection, and a small cache of every object's
// properties as the server last reported them (the UI shows only those).

export class ApiError extends Error {
  constructor(status, name, message) {
    super(message || name || `HTTP ${status}`);
    this.status = status;
    this.name = name || 'HTTPError';
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1/${path}`, init);
  } catch (e) {
    throw new ApiError(0, 'Unreachable', 'foh-web is not reachable');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data && data.error, data && data.message);
  }
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  patch: (path, props) => call('PATCH', path, props),
  method: (path, name, args = []) => call('POST', `${path}/${name}`, args),
};

// Listeners by kind: 'props' (path, changed), 'levels' (channel, levels),
// 'stabilizer' (tick), 'lmh' ({l, m, h}), 'fft' (Float32Array),
// 'signal' (path, name, args), 'link' ({up, fohd}).
const listeners = new Map();
export function on(kind, fn) {
  if (!listeners.has(kind)) listeners.set(kind, new Set());
  listeners.get(kind).add(fn);
  return () => listeners.get(kind).delete(fn);
}
function emit(kind, ...args) {
  const set = listeners.get(kind);
  if (!set) return;
  for (const fn of set) {
    try { fn(...args); } catch (e) { console.warn('listener', kind, e); }
  }
}

// Properties as last reported by the server, by object path ("channel/1").
export const state = new Map();
export function props(path) {
  if (!state.has(path)) state.set(path, {});
  return state.get(path);
}
export async function refresh(path) {
  const p = await api.get(path);
  Object.assign(props(path), p);
  emit('props', path, p);
  return p;
}

export const link = { up: false, fohd: false };
function setLink(up, fohd) {
  if (link.up === up && link.fohd === fohd) return;
  link.up = up;
  link.fohd = fohd;
  emit('link', { ...link });
}

export function pathOf(objectPath) {
  // "/org/foh/Foh1/channel/1" → "channel/1"; "/org/foh/Foh1" → "manager"
  const rest = String(objectPath || '').replace(/^\/org\/foh\/Foh1\/?/, '');
  return rest === '' ? 'manager' : rest;
}

let ws = null;
let backoff = 250;
let topics = ['properties', 'levels', 'stabilizer', 'lmh'];
let greeted = false;	// this connection's hello has come

// The topics the events stream carries (fft only where a view draws it).
export function subscribe(list) {
  if (list.join() === topics.join()) return;
  topics = list;
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'subscribe', topics }));
}

function dispatch(msg) {
  switch (msg.type) {
    case 'properties': {
      const path = String(msg.url || '').replace(/^\/api\/v1\//, '');
      Object.assign(props(path), msg.changed || {});
      emit('props', path, msg.changed || {});
      break;
    }
    case 'levels':
      emit('levels', msg.channel, msg);
      break;
    case 'stabilizer':
      Object.assign(props('stabilizer'), msg.state || {});
      emit('props', 'stabilizer', msg.state || {});
      emit('stabilizer', msg.state || {});
      break;
    case 'lmh':
      emit('lmh', msg);
      break;
    case 'hello':
    case 'fohd': {
      // a resync when the stream is new, or when fohd came back
      const fresh = msg.type === 'hello' && !greeted;
      const back = msg.fohd && !link.fohd;
      greeted = greeted || msg.type === 'hello';
      setLink(true, !!msg.fohd);
      if (msg.fohd && (fresh || back)) emit('resync');
      break;
    }
    default:
      break;
  }
}

// Binary frames: the feature server's FFT layout, [u8 1][u8 0][u16 n][f32 × n].
function binary(buf) {
  const v = new DataView(buf);
  if (buf.byteLength < 4 || v.getUint8(0) !== 1) return;
  const n = v.getUint16(2, true);
  if (buf.byteLength < 4 + 4 * n) return;
  emit('fft', new Float32Array(buf.slice(4, 4 + 4 * n)));
}

export function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(`${proto}//${location.host}/api/v1/events`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    backoff = 250;
    greeted = false;
    ws.send(JSON.stringify({ type: 'subscribe', topics }));
  };
  ws.onmessage = (e) => {
    if (typeof e.data !== 'string') { binary(e.data); return; }
    let msg;
    try { msg = JSON.parse(e.data); } catch (err) { return; }
    dispatch(msg);
  };
  ws.onclose = () => {
    setLink(false, false);
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 4000);
  };
  ws.onerror = () => { /* onclose follows */ };
}
export { emit };
