// X32: the desk's address and connection, its outputs with their names,
// routing suggestions and a backup of its settings.
import { api, refresh } from '../api.js';
import { el, readout, text, action } from '../controls.js';
import { panel } from './common.js';

function table(rows, heads) {
  return el('table', {}, el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: String(c) }))))));
}

export default async function x32(root) {
  await refresh('x32');
  const outs = el('div');
  const routing = el('div');
  const backup = el('p', { class: 'readout' });
  root.append(el('h2', { text: 'X32' }), el('div', { class: 'grid' },
    panel('Connection', text(root, 'x32', 'Address', { label: 'Address' }),
      el('div', { class: 'row' }, action('Connect', () => api.method('x32', 'Connect')),
        action('Disconnect', () => api.method('x32', 'Disconnect'))),
      el('p', { class: 'big' }, readout(root, 'x32', 'State')),
      el('p', { class: 'readout' }, readout(root, 'x32', 'Model'), ' ', readout(root, 'x32', 'Firmware'))),
    panel('Outputs', el('div', { class: 'row' }, action('List outputs', async () => {
      const r = await api.method('x32', 'ListOutputs');
      outs.replaceChildren(table(r.outputs || [], ['id', 'name']));
    })), outs),
    panel('Routing', el('div', { class: 'row' }, action('Suggest routing', async () => {
      const r = await api.method('x32', 'AnalyzeRouting');
      routing.replaceChildren(table(r.suggestions || [], ['what', 'suggestion']));
    })), routing),
    panel('Backup', el('div', { class: 'row' }, action('Back up the desk', async () => {
      const r = await api.method('x32', 'Backup', ['']);
      backup.textContent = `written: ${r.written}`;
    })), backup)));
}
