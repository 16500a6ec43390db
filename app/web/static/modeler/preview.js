// The policy-impact preview: past decided cases replayed through the edited tables, the change
// followed through the later decisions that read its outputs. Cases whose eligibility flips
// (资格结论变化) come first and are counted apart from those where only an intermediate value
// changed; each row shows every decision of the chain that changed, before and after.

import { esc, t } from './common.js';

/** The outputs as lines; those that differ from `other` are marked (data-output names them). */
function outputs(value, other) {
  if (value === null || value === undefined) { return ''; }
  if (typeof value !== 'object') { return esc(value); }
  const differs = (k) => !other || typeof other !== 'object' || JSON.stringify(other[k]) !== JSON.stringify(value[k]);
  return Object.entries(value).map(([k, v]) => `<div${differs(k) ? ` class="out-changed" data-output="${esc(k)}"` : ''}>`
    + `<code>${esc(k)}</code> = ${esc(JSON.stringify(v))}</div>`).join('');
}

function verdict(value) {
  if (value === true) { return t('eligible_yes'); }
  if (value === false) { return t('eligible_no'); }
  return t('unknown_verdict');
}

/** The eligibility cell: before → after when it flips, else the unchanged verdict. */
function eligibility(c) {
  const o = c.outcome || {};
  if (c.eligibility_changed) {
    return `<strong class="verdict-flip" data-testid="eligibility-flip" data-before="${esc(String(o.eligible_before))}"`
      + ` data-after="${esc(String(o.eligible_after))}">${esc(verdict(o.eligible_before))} → ${esc(verdict(o.eligible_after))}</strong>`;
  }
  return `<span class="muted">${esc(t('unchanged_verdict'))}（${esc(verdict(o.eligible_before))}）</span>`;
}

/** Each changed decision of the chain: its id, then its outputs (before or after). */
function chain(c, side) {
  const steps = c.changes && c.changes.length ? c.changes : [c];
  const other = side === 'before' ? 'after' : 'before';
  return steps.map((s) => (steps.length > 1 ? `<div class="muted"><code>${esc(s.decision_id)}</code></div>` : '')
    + outputs(s[side], s[other])).join('');
}

function rules(c) {
  const steps = c.changes && c.changes.length ? c.changes : [c];
  return steps.map((s) => `${steps.length > 1 ? `${esc(s.decision_id)}: ` : ''}`
    + `${esc((s.rules_before || []).join(', '))} → ${esc((s.rules_after || []).join(', '))}`).join('<br>');
}

function table(cases) {
  const rows = cases.map((c) => `<tr data-testid="changed-case" data-business-key="${esc(c.business_key || '')}"`
    + ` data-flipped="${c.eligibility_changed ? '1' : '0'}"><td>${esc(c.business_key || c.instance_id)}</td>`
    + `<td>${eligibility(c)}</td><td>${chain(c, 'before')}</td><td>${chain(c, 'after')}</td><td>${rules(c)}</td></tr>`).join('');
  return `<table><thead><tr><th>${esc(t('case'))}</th><th>${esc(t('eligibility'))}</th><th>${esc(t('before'))}</th>`
    + `<th>${esc(t('after'))}</th><th>${esc(t('rules'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Render a preview answer into `container`. */
export function renderPreview(container, body) {
  const changed = body.changed || [];
  const flipped = changed.filter((c) => c.eligibility_changed);
  const intermediate = changed.filter((c) => !c.eligibility_changed);
  const failed = (body.failed || []).map((f) => `<li>${esc(f.business_key || f.instance_id)}: ${esc(f.error)}</li>`).join('');
  container.innerHTML = `<h2>${esc(t('preview_title'))}</h2>`
    + `<p data-testid="preview-summary" data-cases="${body.cases}" data-changed="${changed.length}"`
    + ` data-flipped="${flipped.length}">${esc(t('preview_summary', { cases: body.cases, flipped: flipped.length,
      intermediate: intermediate.length }))}</p>`
    + `<section class="preview-flipped" data-testid="preview-flipped" data-count="${flipped.length}">`
    + `<h3>${esc(t('eligibility_flipped', { n: flipped.length }))}</h3>${flipped.length ? table(flipped) : ''}</section>`
    + (intermediate.length ? `<section data-testid="preview-intermediate" data-count="${intermediate.length}">`
      + `<h3>${esc(t('intermediate_only', { n: intermediate.length }))}</h3>${table(intermediate)}</section>` : '')
    + (failed ? `<h3>${esc(t('preview_failures'))}</h3><ul class="error">${failed}</ul>` : '');
  container.hidden = false;
}
