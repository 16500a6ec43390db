// The policy-impact preview: past decided cases replayed through the edited table, and the
// ones whose outcome would change, with the outputs and matched rule rows before and after.

import { esc, t } from './common.js';

/** The outputs as lines; those that differ from `other` are marked (data-output names them). */
function outputs(value, other) {
  if (value === null || value === undefined) { return ''; }
  if (typeof value !== 'object') { return esc(value); }
  const differs = (k) => !other || typeof other !== 'object' || JSON.stringify(other[k]) !== JSON.stringify(value[k]);
  return Object.entries(value).map(([k, v]) => `<div${differs(k) ? ` class="out-changed" data-output="${esc(k)}"` : ''}>`
    + `<code>${esc(k)}</code> = ${esc(JSON.stringify(v))}</div>`).join('');
}

/** Render a preview answer into `container`. */
export function renderPreview(container, body) {
  const changed = body.changed || [];
  const rows = changed.map((c) => `<tr data-testid="changed-case" data-business-key="${esc(c.business_key || '')}">`
    + `<td>${esc(c.business_key || c.instance_id)}</td><td>${outputs(c.before, c.after)}</td><td>${outputs(c.after, c.before)}</td>`
    + `<td>${esc((c.rules_before || []).join(', '))} → ${esc((c.rules_after || []).join(', '))}</td></tr>`).join('');
  const failed = (body.failed || []).map((f) => `<li>${esc(f.business_key || f.instance_id)}: ${esc(f.error)}</li>`).join('');
  container.innerHTML = `<h2>${esc(t('preview_title'))}</h2>`
    + `<p data-testid="preview-summary" data-cases="${body.cases}" data-changed="${changed.length}">`
    + `${esc(t('preview_summary', { cases: body.cases, changed: changed.length }))}</p>`
    + (rows ? `<table><thead><tr><th>${esc(t('case'))}</th><th>${esc(t('before'))}</th><th>${esc(t('after'))}</th>`
      + `<th>${esc(t('rules'))}</th></tr></thead><tbody>${rows}</tbody></table>` : '')
    + (failed ? `<h3>${esc(t('preview_failures'))}</h3><ul class="error">${failed}</ul>` : '');
  container.hidden = false;
}
