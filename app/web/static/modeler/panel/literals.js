// Literal parameter values checked against the operator's declared JSON Schema type, as the
// server checks them at deploy (app/engine/param_types.py). A value that is an expression
// (household['members']) is left alone: its type is known only when it runs.

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/;
const QUOTED = /^(['"])(.*)\1$/s;
const TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'];

/** {type, value} of a plain string, number or True/False literal; null for anything else. */
export function literal(text) {
  const s = (text || '').trim();
  if (s === 'True' || s === 'False') { return { type: 'boolean', value: s === 'True' }; }
  if (INTEGER.test(s)) { return { type: 'integer', value: Number(s) }; }
  if (NUMBER.test(s)) { return { type: 'number', value: Number(s) }; }
  const quoted = QUOTED.exec(s);
  if (quoted && !quoted[2].includes(quoted[1]) && !quoted[2].includes('\\')) {
    return { type: 'string', value: quoted[2] };
  }
  return null;
}

/** The value written as a Python literal. */
export function pythonLiteral(value) {
  if (typeof value === 'boolean') { return value ? 'True' : 'False'; }
  if (typeof value === 'number') { return String(value); }
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Why the literal `text` does not fit `spec` (a JSON Schema property), or '' if it fits. */
export function literalProblem(text, spec, t) {
  const lit = literal(text);
  if (!lit) { return ''; }
  const fits = spec.type === lit.type || (spec.type === 'number' && lit.type === 'integer');
  if (TYPES.includes(spec.type) && !fits) {
    return t('param_expects', { type: t(`type_${spec.type}`) });
  }
  if (spec.enum && !spec.enum.includes(lit.value)) {
    return t('param_one_of', { choices: spec.enum.join(' / ') });
  }
  return '';
}

/** The literal choices a parameter offers in a drop-down: its enum, or True/False. */
export function choicesOf(spec) {
  if (spec.enum) { return spec.enum; }
  return spec.type === 'boolean' ? [true, false] : null;
}
