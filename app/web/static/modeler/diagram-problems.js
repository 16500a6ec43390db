// The server's validation problems drawn on the BPMN diagram: a red (error) or amber (warning)
// marker and a badge on each element a problem names, and the list below the canvas.

import { esc, renderProblemList, t } from './common.js';

const MARKERS = ['problem-error', 'problem-warning'];

/** Remove earlier problem markers and badges. */
export function clearProblems(modeler) {
  const canvas = modeler.get('canvas');
  modeler.get('overlays').remove({ type: 'problem' });
  modeler.get('elementRegistry').getAll().forEach((el) => MARKERS.forEach((m) => canvas.removeMarker(el, m)));
}

/** Select and scroll to the element a problem names. */
export function focusElement(modeler, elementId) {
  const element = elementId && modeler.get('elementRegistry').get(elementId);
  if (!element) { return; }
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

/** Draw `problems` on the diagram and in `listEl`; answers how many found their element. */
export function showProblems(modeler, problems, listEl) {
  clearProblems(modeler);
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const byElement = {};
  problems.forEach((p) => {
    if (p.element_id && registry.get(p.element_id)) { (byElement[p.element_id] = byElement[p.element_id] || []).push(p); }
  });
  Object.entries(byElement).forEach(([id, list]) => {
    const worst = list.some((p) => p.severity !== 'warning') ? 'error' : 'warning';
    canvas.addMarker(id, `problem-${worst}`);
    const title = list.map((p) => p.message).join('\n');
    overlays.add(id, 'problem', {
      position: { top: -14, right: 14 },
      html: `<div class="problem-badge ${worst}" data-testid="problem-badge" data-element-id="${esc(id)}"`
        + ` title="${esc(title)}">${list.length}</div>`,
    });
  });
  renderProblemList(listEl, problems, (p) => focusElement(modeler, p.element_id));
  listEl.dataset.count = String(problems.length);
  listEl.dataset.errors = String(problems.filter((p) => p.severity !== 'warning').length);
  return Object.keys(byElement).length;
}

/** A one-line summary of a validation answer. */
export function summary(problems) {
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  const warnings = problems.length - errors;
  return errors ? t('validation_failed', { errors, warnings }) : t('validation_passed', { warnings });
}
