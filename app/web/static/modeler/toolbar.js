// The editors' shared toolbar: validate, download, try scenarios, deploy, open another version,
// and the warning before leaving a page with undeployed changes.

import { download } from './common.js';
import { deploy } from './deploy.js';
import { runScenarios } from './scenario-results.js';

const $ = (id) => document.getElementById(id);

/**
 * Wire the toolbar of an editor page.
 * @param {object} o data (the page's), edited() → files, fileName() → string,
 *   show(problems) draws problems, validate() runs the server checks
 * @returns {{markDirty: Function}} call markDirty() after every edit
 */
export function wireToolbar(o) {
  const { data, edited, fileName, show, validate } = o;
  let dirty = false;
  $('modeler-validate').addEventListener('click', validate);
  $('modeler-download').addEventListener('click', async () => download(fileName(), (await edited())[0].content));
  const scenarios = $('modeler-scenarios');
  if (scenarios && data.urls.scenarios) {
    scenarios.addEventListener('click', async () => runScenarios(data.urls.scenarios, await edited(),
      $('modeler-scenario-results'), show));
  } else if (scenarios) {
    scenarios.disabled = true;
  }
  $('modeler-deploy').addEventListener('click', async () => {
    const items = await deploy(data.urls, await edited(), $('modeler-comment'), show, $('modeler-deployed'));
    if (items) { dirty = false; }
  });
  const versionSelect = $('modeler-version');
  if (versionSelect) {
    versionSelect.addEventListener('change', () => {
      window.location.href = `${data.urls.edit}?version=${encodeURIComponent(versionSelect.value)}`;
    });
  }
  window.addEventListener('beforeunload', (e) => { if (dirty) { e.preventDefault(); e.returnValue = ''; } });
  return {
    markDirty() {
      dirty = true;
      document.body.dataset.dirty = '1';
    },
  };
}
