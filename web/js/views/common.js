// Pieces the views share: a panel, a section of sliders/toggles built
// from a list, and the "other settings" of an object that no view shows
// by name (so settings added to fohd appear without a UI change).
import { choice, el, rangeOf, slider, toggle, text } from '../controls.js';
import { props } from '../api.js';

export function panel(title, ...kids) {
  return el('section', { class: 'panel' }, title ? el('h2', { text: title }) : null, ...kids);
}

// spec: [prop, label, {min, max, unit, step}] ; a boolean prop gets a
// toggle, one with a list of allowed values (openapi.json's enum) a choice
export function controls(root, path, spec) {
  const out = [];
  for (const [prop, label, o = {}] of spec) {
    const v = props(path)[prop];
    if (v === undefined && !o.always) continue;
    const allowed = rangeOf(path, prop).enum;
    if (typeof v === 'boolean') out.push(el('div', { class: 'row' }, toggle(root, path, prop, { label })));
    else if (allowed) out.push(choice(root, path, prop, allowed, { label }));
    else if (typeof v === 'string') out.push(text(root, path, prop, { label }));
    else out.push(slider(root, path, prop, { label, ...o }));
  }
  return out;
}

export function section(title, kids, open = false) {
  const d = el('details', open ? { open: '' } : {}, el('summary', { text: title }));
  d.append(...kids);
  return d;
}

export function others(root, path, shown, writable) {
  const rest = Object.keys(props(path)).filter((k) => !shown.has(k) && writable.has(k)).sort();
  return controls(root, path, rest.map((k) => [k, k]));
}
