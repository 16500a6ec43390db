// Deploying from an editor: the comment is required (versions record who, when and why);
// a refused deploy shows its problems like a validation does.

import { esc, failure, fileProblems, postFiles, status, t } from './common.js';

/**
 * Deploy `files`; answers the created items or null. `onProblems` receives the problems of a
 * refused deploy; `links` (optional) renders follow-up links for the new version.
 */
export async function deploy(urls, files, commentInput, onProblems, resultEl) {
  const comment = (commentInput.value || '').trim();
  if (!comment) {
    status(t('comment_required'), 'error');
    commentInput.focus();
    return null;
  }
  status(t('deploying'), 'busy');
  const result = await postFiles(urls.deploy, files, { comment });
  if (!result.ok) {
    onProblems(fileProblems(result));
    status(`${t('deploy_refused')}: ${failure(result)}`, 'error');
    return null;
  }
  const items = result.body.items || [];
  const created = items.filter((i) => i.created);
  const label = items.map((i) => `${i.key} v${i.version}${i.created ? '' : ` (${t('unchanged')})`}`).join(', ');
  status(created.length ? t('deployed', { what: label }) : t('nothing_changed', { what: label }), 'ok');
  onProblems(result.body.warnings || []);
  if (resultEl) {
    resultEl.innerHTML = items.map((i) => `<li data-testid="deployed" data-key="${esc(i.key)}" data-version="${i.version}">`
      + `${esc(i.key)} v${i.version} · <a href="${esc(urls.versionsBase)}${encodeURIComponent(i.key)}">${esc(t('versions'))}</a>`
      + (i.kind === 'process' ? ` · <a href="${esc(urls.migrateBase)}${encodeURIComponent(i.key)}?to_version=${i.version}">`
        + `${esc(t('migrate_cases'))}</a>` : '') + '</li>').join('');
    resultEl.hidden = false;
  }
  return items;
}
