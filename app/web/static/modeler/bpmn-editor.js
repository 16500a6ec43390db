// The BPMN editor page: bpmn-js Modeler with the spiffworkflow: moddle extension, the
// properties panel, bpmnlint, and the server actions (validate, try scenarios, deploy).

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './modeler.css';

import BpmnModeler from 'bpmn-js/lib/Modeler';
import lintModule from 'bpmn-js-bpmnlint';

import { embedded, fileProblems, getJSON, postFiles, status, t } from './common.js';
import { showProblems, summary } from './diagram-problems.js';
import lintConfig from './lint.js';
import PropertiesPanel from './panel/index.js';
import spiffworkflow from './spiffworkflow-moddle.json';
import { wireToolbar } from './toolbar.js';
import { translationModules } from './translations.js';

const data = embedded('modeler-data');
const $ = (id) => document.getElementById(id);
const problemsEl = $('modeler-problems');

const modeler = new BpmnModeler({
  container: '#modeler-canvas',
  additionalModules: [lintModule, ...translationModules(data.lang)],
  moddleExtensions: { spiffworkflow },
  linting: { bpmnlint: lintConfig, active: false },
});
window.housingModeler = { modeler, data };

function processId() {
  const definitions = modeler.getDefinitions();
  const process = definitions && definitions.rootElements.find((e) => e.$instanceOf('bpmn:Process'));
  return process ? process.id : 'process';
}

function fileName() { return data.file_name || `${processId()}.bpmn`; }

async function edited() {
  const { xml } = await modeler.saveXML({ format: true });
  return [{ name: fileName(), content: xml }];
}

const show = (problems) => showProblems(modeler, problems, problemsEl);

async function validate() {
  status(t('validating'), 'busy');
  const result = await postFiles(data.urls.validate, await edited());
  const problems = fileProblems(result);
  show(problems);
  if (!result.ok && !problems.length) {
    status(t('validation_error'), 'error');
    return false;
  }
  status(summary(problems), problems.some((p) => p.severity !== 'warning') ? 'error' : 'ok');
  return !problems.some((p) => p.severity !== 'warning');
}

function wire() {
  const toolbar = wireToolbar({ data, edited, fileName, show, validate });
  $('modeler-lint').addEventListener('click', () => modeler.get('linting').toggle());
  modeler.on('commandStack.changed', () => toolbar.markDirty());
  modeler.on('linting.completed', (e) => {
    const issues = Object.values(e.issues || {}).flat();
    $('modeler-canvas').dataset.lintIssues = String(issues.length);
    $('modeler-canvas').dataset.lintErrors = String(issues.filter((i) => i.category === 'error').length);
  });
}

async function start() {
  try {
    const { warnings } = await modeler.importXML(data.xml);
    modeler.get('canvas').zoom('fit-viewport');
    if (warnings.length) { status(t('import_warnings', { n: warnings.length }), 'error'); }
  } catch (err) {
    status(`${t('import_failed')}: ${err.message}`, 'error');
    return;
  }
  const catalog = await getJSON(data.urls.catalog);
  const panel = new PropertiesPanel(modeler, $('modeler-properties'), catalog.ok ? catalog.body : {}, t);
  panel.render();
  wire();
  $('modeler-canvas').dataset.ready = '1';
}

start();
