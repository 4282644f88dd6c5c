// Boot: the link banner, the views by URL hash, and a full resync of the
// shown view whenever the events stream (re)connects or fohd comes back.
import { connect, on, subscribe } from './api.js';
import { loadSchema, toast } from './controls.js';
import { frames } from './draw.js';
import channels from './views/channels.js';
import stabilizer from './views/stabilizer.js';
import analyzer from './views/analyzer.js';
import decks from './views/decks.js';
import x32 from './views/x32.js';
import system from './views/system.js';

window.fohFrames = frames;	// for the benchmark: frames drawn, ms spent drawing
const views = { channels, stabilizer, analyzer, decks, x32, system };
const main = document.getElementById('view');
let current = null;

function cleanup(node) {
  for (const off of node.cleanup || []) off();
  node.cleanup = [];
}

async function show() {
  const name = (location.hash.slice(1) || 'channels').split('/')[0];
  const view = views[name] || channels;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  cleanup(main);
  main.replaceChildren();
  subscribe(name === 'analyzer' ? ['properties', 'levels', 'stabilizer', 'lmh', 'fft']
    : ['properties', 'levels', 'stabilizer', 'lmh']);
  current = name;
  try {
    await view(main);
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'err';
    p.textContent = `Cannot show ${name}: ${e.message}`;
    main.append(p);
  }
}

function banner(l) {
  const b = document.getElementById('link');
  b.className = 'link ' + (!l.up ? 'down' : l.fohd ? 'up' : 'fohd');
  b.textContent = !l.up ? 'foh-web unreachable — reconnecting…'
    : l.fohd ? 'live' : 'fohd is not running — waiting for it…';
}

on('link', banner);
let resyncTimer = 0;
on('resync', () => {
  clearTimeout(resyncTimer);
  resyncTimer = setTimeout(() => { if (current) show(); }, 100);
});
window.addEventListener('hashchange', show);

async function boot() {
  try { loadSchema(await fetch('/api/v1/openapi.json').then((r) => r.json())); } catch (e) { /* ranges fall back */ }
  connect();
  await show();
}
boot().catch((e) => toast(e.message));
