// The DMN editor page: dmn-js Modeler opened on the decision table, the server's checks
// (FEEL cells, hit policies, UNIQUE overlaps) marked on the cells, the policy-impact preview
// over past decided cases, scenarios of the processes using the table, and deploy.

import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import './modeler.css';

import DmnModeler from 'dmn-js/lib/Modeler';

import { embedded, fileProblems, postFiles, renderProblemList, status, t } from './common.js';
import { summary } from './diagram-problems.js';
import { renderPreview } from './preview.js';
import { wireToolbar } from './toolbar.js';
import { dmnTranslationOptions } from './translations.js';

const data = embedded('modeler-data');
const $ = (id) => document.getElementById(id);
const problemsEl = $('modeler-problems');
const highlight = document.createElement('style');
document.head.appendChild(highlight);

const modeler = new DmnModeler({ container: '#modeler-canvas', ...dmnTranslationOptions(data.lang) });
window.housingModeler = { modeler, data };

function decisionId() {
  const view = modeler.getActiveView();
  return data.key || (view && view.element && view.element.id) || 'decision';
}

function fileName() { return data.file_name || `${decisionId()}.dmn`; }

async function edited() {
  const { xml } = await modeler.saveXML({ format: true });
  return [{ name: fileName(), content: xml }];
}

function cellSelector(id) {
  const q = CSS.escape(id);
  return `[data-element-id="${q}"], tr[data-row-id="${q}"] > td, th[data-col-id="${q}"]`;
}

/** Mark problem cells (a stylesheet survives the table's re-rendering) and list them. */
function show(problems) {
  const errors = problems.filter((p) => p.element_id && p.severity !== 'warning').map((p) => cellSelector(p.element_id));
  const warnings = problems.filter((p) => p.element_id && p.severity === 'warning').map((p) => cellSelector(p.element_id));
  highlight.textContent = (errors.length ? `${errors.join(', ')} { background: #fee2e2 !important; outline: 2px solid #b91c1c; }` : '')
    + (warnings.length ? `${warnings.join(', ')} { background: #fef3c7 !important; }` : '');
  renderProblemList(problemsEl, problems, (p) => {
    const cell = p.element_id && document.querySelector(cellSelector(p.element_id));
    if (cell) { cell.scrollIntoView({ block: 'center' }); }
  });
  problemsEl.dataset.count = String(problems.length);
  problemsEl.dataset.errors = String(problems.filter((p) => p.severity !== 'warning').length);
}

async function validate() {
  status(t('validating'), 'busy');
  const result = await postFiles(data.urls.validate, await edited());
  const problems = fileProblems(result);
  show(problems);
  status(summary(problems), problems.some((p) => p.severity !== 'warning') ? 'error' : 'ok');
}

async function preview() {
  const limit = Math.max(1, parseInt($('modeler-preview-limit').value, 10) || 200);
  status(t('previewing'), 'busy');
  const result = await postFiles(`${data.urls.preview}?limit=${limit}`, await edited());
  if (!result.ok) {
    show(fileProblems(result));
    status(`${t('preview_failed')}: ${result.body.detail || result.status}`, 'error');
    return;
  }
  renderPreview($('modeler-preview-results'), result.body);
  const { cases, changed } = result.body;
  const flipped = changed.filter((c) => c.eligibility_changed).length;
  status(t('preview_summary', { cases, flipped, intermediate: changed.length - flipped }), 'ok');
}

function openDecision() {
  const views = modeler.getViews();
  const wanted = views.find((v) => v.type === 'decisionTable' && (!data.key || v.element.id === data.key))
    || views.find((v) => v.type === 'decisionTable');
  if (wanted) { return modeler.open(wanted); }
  return Promise.resolve();
}

function wire() {
  const toolbar = wireToolbar({ data, edited, fileName, show, validate });
  const previewButton = $('modeler-preview');
  if (previewButton && data.urls.preview) { previewButton.addEventListener('click', preview); }
  modeler.on('views.changed', () => {
    const viewer = modeler.getActiveViewer();
    if (viewer) { viewer.get('eventBus').on('elements.changed', () => toolbar.markDirty()); }
  });
}

async function start() {
  wire();
  try {
    await modeler.importXML(data.xml);
    await openDecision();
  } catch (err) {
    status(`${t('import_failed')}: ${err.message}`, 'error');
    return;
  }
  $('modeler-canvas').dataset.ready = '1';
}

start();
