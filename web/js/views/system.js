// System: PipeWire state, quantum, CPU, xruns, devices, config reload,
// the self-check, log level and the unsaved-changes flag.
import { api, refresh } from '../api.js';
import { el, readout, action, choice } from '../controls.js';
import { panel } from './common.js';

export default async function system(root) {
  await refresh('manager');
  const devs = el('div');
  const check = el('pre', { class: 'readout' });
  const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(2)} %` : '—');
  root.append(el('h2', { text: 'System' }), el('div', { class: 'grid' },
    panel('fohd',
      el('table', {}, el('tbody', {},
        ...[['Version', 'Version'], ['PipeWire', 'PipeWireConnected', (v) => (v ? 'connected' : 'not connected')],
          ['Rate', 'SampleRate', (v) => `${v} Hz`], ['Quantum', 'Quantum'], ['CPU', 'CpuLoad', pct],
          ['Xruns', 'Xruns'], ['Uptime', 'Uptime', (v) => `${Math.floor(v / 60)} min`],
          ['Config', 'ConfigPath'], ['Unsaved changes', 'UnsavedChanges', (v) => (v ? 'YES' : 'no')]]
          .map(([label, prop, fmt]) => el('tr', {}, el('th', { text: label }),
            el('td', {}, readout(root, 'manager', prop, fmt)))))),
      choice(root, 'manager', 'LogLevel', ['error', 'warning', 'info', 'debug'], { label: 'Log level' }),
      el('div', { class: 'row' }, action('Reload config', () => api.method('manager', 'Reload')),
        action('Self-check', async () => {
          const r = await api.method('manager', 'SelfCheck');
          check.textContent = `${r.passed ? 'PASSED' : 'FAILED'}\n${r.report}`;
        })), check),
    panel('Devices', el('div', { class: 'row' }, action('List devices', async () => {
      const r = await api.method('manager', 'ListDevices');
      devs.replaceChildren(el('table', {}, el('tbody', {}, ...(r.devices || []).map((d) =>
        el('tr', {}, ...d.slice(1).map((c) => el('td', { text: String(c) })))))));
    })), devs)));
}
