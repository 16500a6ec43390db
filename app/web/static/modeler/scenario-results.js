// Scenario runs on the edited files, shown as pass / fail per scenario with the reasons.

import { esc, failure, fileProblems, postFiles, status, t } from './common.js';

/** Render one scenario answer into `container`. */
export function renderScenarios(container, body) {
  const rows = (body.scenarios || []).map((s) => `<tr data-testid="scenario" data-name="${esc(s.name)}" data-passed="${s.passed ? '1' : '0'}">`
    + `<td><span class="badge ${s.passed ? 'pass' : 'fail'}">${esc(s.passed ? t('passed') : t('failed'))}</span></td>`
    + `<td>${esc(s.description || s.name)}<div class="hint">${esc(s.name)} · ${esc(s.file)}</div></td>`
    + `<td>${s.failures.length ? `<ul class="error">${s.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}`
    + `<details><summary>${esc(t('path'))}</summary><div class="hint">${esc((s.path || []).join(' → '))}</div>`
    + '</details></td></tr>').join('');
  container.innerHTML = `<h2>${esc(t('scenario_results'))}</h2>`
    + `<p data-testid="scenario-summary">${esc(t('scenario_summary', { passed: body.passed || 0, failed: body.failed || 0 }))}</p>`
    + (rows ? `<table><thead><tr><th>${esc(t('result'))}</th><th>${esc(t('scenario'))}</th><th>${esc(t('details'))}</th></tr></thead>`
      + `<tbody>${rows}</tbody></table>` : `<p class="hint" data-testid="no-scenarios">${esc(t('no_scenarios'))}</p>`);
  container.hidden = false;
}

/**
 * Send the edited files to the scenario action; show results, or the file problems that
 * stopped the run (via `onProblems`).
 */
export async function runScenarios(url, files, container, onProblems) {
  status(t('running_scenarios'), 'busy');
  const result = await postFiles(url, files);
  if (!result.ok) {
    const problems = fileProblems(result);
    if (problems.length) { onProblems(problems); }
    status(`${t('scenarios_not_run')}: ${failure(result)}`, 'error');
    return null;
  }
  renderScenarios(container, result.body);
  const failed = result.body.failed || 0;
  status(t('scenario_summary', { passed: result.body.passed || 0, failed }), failed ? 'error' : 'ok');
  return result.body;
}
