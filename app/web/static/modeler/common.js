// Shared by the modeler pages: page data, texts, calls to the server's JSON actions with the
// session's CSRF token, status messages and file downloads.

/** JSON embedded in the page by the server (`<script type="application/json" id=…>`). */
export function embedded(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}

const TEXTS = embedded('modeler-texts');

/** The text for `key` in the page's language, with {name} placeholders filled. */
export function t(key, values) {
  let text = TEXTS[key] || key;
  Object.entries(values || {}).forEach(([name, value]) => {
    text = text.split(`{${name}}`).join(String(value));
  });
  return text;
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    body = { detail: response.statusText };
  }
  return { ok: response.ok, status: response.status, body };
}

/** GET a JSON action. */
export async function getJSON(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return answer(response);
}

/** POST edited files (multipart field `files`) plus form fields; answers {ok, status, body}. */
export async function postFiles(url, files, fields) {
  const form = new FormData();
  files.forEach(({ name, content }) => {
    form.append('files', new Blob([content], { type: 'application/xml' }), name);
  });
  Object.entries(fields || {}).forEach(([key, value]) => form.append(key, value));
  const response = await fetch(url, {
    method: 'POST', body: form, credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' },
  });
  return answer(response);
}

/** Show a status line (kind: ok | error | busy). */
export function status(message, kind) {
  const el = document.getElementById('modeler-status');
  if (!el) { return; }
  el.textContent = message;
  el.className = `flash flash-${kind || 'ok'}`;
  el.dataset.kind = kind || 'ok';
  el.hidden = !message;
}

/** Escape text for HTML. */
export function esc(value) {
  return String(value === undefined || value === null ? '' : value)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Offer `content` as a file download. */
export function download(name, content) {
  const url = URL.createObjectURL(new Blob([content], { type: 'application/xml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The message of a failed call: the problem's detail, else the status. */
export function failure(result) {
  const body = result.body || {};
  return body.detail || body.title || `HTTP ${result.status}`;
}

/** The file problems of an answer: `problems` of validate, `errors` of a 422. */
export function fileProblems(result) {
  const body = result.body || {};
  if (Array.isArray(body.problems)) { return body.problems; }
  if (Array.isArray(body.errors)) { return body.errors; }
  return [];
}

/** Render a problem list; clicking an entry calls `onPick(problem)`. */
export function renderProblemList(container, problems, onPick) {
  container.innerHTML = '';
  if (!problems.length) {
    container.innerHTML = `<p class="ok" data-testid="no-problems">${esc(t('no_problems'))}</p>`;
    return;
  }
  const list = document.createElement('ul');
  list.className = 'problem-list';
  problems.forEach((problem) => {
    const item = document.createElement('li');
    item.className = `problem ${problem.severity === 'warning' ? 'warning' : 'error'}`;
    item.dataset.testid = 'problem';
    item.dataset.elementId = problem.element_id || '';
    item.dataset.severity = problem.severity || 'error';
    const where = problem.element_id ? ` [${problem.element_id}]` : '';
    const line = problem.line ? ` ${t('line', { n: problem.line })}` : '';
    item.innerHTML = `<span class="badge ${problem.severity === 'warning' ? 'warn' : 'bad'}">`
      + `${esc(problem.severity === 'warning' ? t('warning') : t('error'))}</span> `
      + `<code>${esc(problem.file || '')}${esc(where)}</code>${esc(line)} ${esc(problem.message)}`;
    item.addEventListener('click', () => onPick && onPick(problem));
    list.appendChild(item);
  });
  container.appendChild(list);
}
