// The visual diff of two versions: both diagrams side by side, removed elements marked on the
// older one, added on the newer one, changed on both. Decision tables are shown with their
// changed, added and removed rules and cells marked the same way.

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import './modeler.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import DmnViewer from 'dmn-js/lib/Viewer';

import { embedded } from './common.js';
import { dmnTranslationOptions } from './translations.js';

const data = embedded('modeler-data');
const diff = data.diff;

async function showBpmn(containerId, xml, marks) {
  const viewer = new NavigatedViewer({ container: `#${containerId}` });
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const marked = [];
  Object.entries(marks).forEach(([marker, ids]) => ids.forEach((id) => {
    if (registry.get(id)) { canvas.addMarker(id, marker); marked.push(id); }
  }));
  canvas.zoom('fit-viewport');
  const el = document.getElementById(containerId);
  el.dataset.marked = marked.join(',');
  el.dataset.ready = '1';
  return viewer;
}

function selectors(ids) {
  return ids.map((id) => {
    const q = CSS.escape(id);
    return `#diff-before [data-element-id="${q}"], #diff-after [data-element-id="${q}"], tr[data-row-id="${q}"] > td`;
  });
}

async function showDmn(containerId, xml) {
  const viewer = new DmnViewer({ container: `#${containerId}`, ...dmnTranslationOptions(data.lang) });
  await viewer.importXML(xml);
  const view = viewer.getViews().find((v) => v.type === 'decisionTable' && v.element.id === data.key)
    || viewer.getViews().find((v) => v.type === 'decisionTable');
  if (view) { await viewer.open(view); }
  document.getElementById(containerId).dataset.ready = '1';
}

async function start() {
  const ids = (list) => list.map((e) => e.id);
  if (data.kind === 'process') {
    await showBpmn('diff-before', data.before, { 'diff-removed': ids(diff.removed), 'diff-changed': ids(diff.changed) });
    await showBpmn('diff-after', data.after, {
      'diff-added': ids(diff.added), 'diff-changed': ids(diff.changed), 'diff-moved': diff.moved,
    });
    return;
  }
  const style = document.createElement('style');
  style.textContent = [
    [selectors(ids(diff.added)), '#dcfce7'], [selectors(ids(diff.removed)), '#fee2e2'], [selectors(ids(diff.changed)), '#fef3c7'],
  ].filter(([sel]) => sel.length).map(([sel, colour]) => `${sel.join(', ')} { background: ${colour} !important; }`).join('\n');
  document.head.appendChild(style);
  await showDmn('diff-before', data.before);
  await showDmn('diff-after', data.after);
}

start();
