// Small form controls for the properties panel. Each calls `onChange(value)` when the user
// commits a value (change event), never on every keystroke, so one edit is one undo step.

import { esc } from '../common.js';

function wrap(label, control, hint, testid, tag) {
  const row = document.createElement(tag || 'label');
  row.className = 'prop';
  if (testid) { row.dataset.field = testid; }
  row.innerHTML = `<span class="prop-label">${esc(label)}</span>`;
  row.appendChild(control);
  if (hint) {
    const small = document.createElement('small');
    small.className = 'hint';
    small.textContent = hint;
    row.appendChild(small);
  }
  return row;
}

/** A one-line text input. */
export function textField(label, value, onChange, opts) {
  const o = opts || {};
  const input = document.createElement('input');
  input.type = o.type || 'text';
  input.value = value === undefined || value === null ? '' : value;
  if (o.placeholder) { input.placeholder = o.placeholder; }
  if (o.min !== undefined) { input.min = o.min; }
  if (o.list) { input.setAttribute('list', o.list); }
  if (o.testid) { input.dataset.testid = o.testid; }
  if (o.readOnly) { input.readOnly = true; }
  input.addEventListener('change', () => onChange(input.value));
  return wrap(label, input, o.hint, o.testid);
}

/** A multi-line text area (scripts, expressions, instructions). */
export function textArea(label, value, onChange, opts) {
  const o = opts || {};
  const area = document.createElement('textarea');
  area.rows = o.rows || 3;
  area.value = value || '';
  area.spellcheck = false;
  if (o.testid) { area.dataset.testid = o.testid; }
  area.addEventListener('change', () => onChange(area.value));
  return wrap(label, area, o.hint, o.testid);
}

/**
 * A drop-down; `options` is a list of {value, label}. A current value missing from the
 * options is kept as an extra entry marked unknown, so opening a diagram never loses it.
 */
export function selectField(label, value, options, onChange, opts) {
  const o = opts || {};
  const select = document.createElement('select');
  if (o.testid) { select.dataset.testid = o.testid; }
  const all = [{ value: '', label: o.emptyLabel || '—' }, ...options];
  if (value && !options.some((opt) => opt.value === value)) {
    all.push({ value, label: `${value} (${o.unknownLabel || '?'})`, unknown: true });
  }
  select.innerHTML = all.map((opt) => `<option value="${esc(opt.value)}"${opt.value === (value || '') ? ' selected' : ''}`
    + `${opt.unknown ? ' data-unknown="1"' : ''}>${esc(opt.label)}</option>`).join('');
  select.addEventListener('change', () => onChange(select.value));
  return wrap(label, select, o.hint, o.testid);
}

/** Check boxes for a comma-separated list (candidate groups), plus a free-text field. */
export function groupsField(label, value, known, onChange, opts) {
  const o = opts || {};
  const chosen = (value || '').split(',').map((s) => s.trim()).filter(Boolean);
  const box = document.createElement('div');
  box.className = 'prop-groups';
  if (o.testid) { box.dataset.testid = o.testid; }
  const names = Array.from(new Set([...known, ...chosen]));
  const free = document.createElement('input');
  free.type = 'text';
  free.value = chosen.join(', ');
  free.dataset.testid = `${o.testid || 'groups'}-text`;
  const emit = (list) => onChange(Array.from(new Set(list)).join(', '));
  names.forEach((name) => {
    const item = document.createElement('label');
    item.className = 'check';
    item.innerHTML = `<input type="checkbox" value="${esc(name)}"${chosen.includes(name) ? ' checked' : ''}> ${esc(name)}`;
    item.querySelector('input').addEventListener('change', () => {
      emit(Array.from(box.querySelectorAll('input[type=checkbox]:checked')).map((c) => c.value));
    });
    box.appendChild(item);
  });
  free.addEventListener('change', () => emit(free.value.split(',').map((s) => s.trim()).filter(Boolean)));
  box.appendChild(free);
  return wrap(label, box, o.hint, o.testid, 'div');
}

/** A titled group of fields. */
export function section(title, children) {
  const box = document.createElement('fieldset');
  box.className = 'prop-section';
  box.innerHTML = `<legend>${esc(title)}</legend>`;
  children.filter(Boolean).forEach((child) => box.appendChild(child));
  return box;
}

/** A paragraph of explanatory text. */
export function note(text, kind) {
  const p = document.createElement('p');
  p.className = kind === 'error' ? 'error' : 'hint';
  p.textContent = text;
  return p;
}
