// One builder per kind of element: each returns the fieldsets the panel shows for it. Every
// value is written as the spiffworkflow: XML the engine reads (see docs/engine.md).

import * as ext from './extensions.js';
import { groupsField, note, section, selectField, textArea, textField } from './fields.js';
import { choicesOf, literal, literalProblem, pythonLiteral } from './literals.js';

const SPIFF_TYPES = { string: 'str', integer: 'int', number: 'float', boolean: 'bool', array: 'list', object: 'dict' };
const WORKDAYS = /^\s*workdays_from_now\(\s*(\d+)\s*\)\s*$/;
const NUMBER_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?\d+(?:\.\d+)?)\s*(#.*)?$/;

function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

/** Name (and the id, read-only) of every element. */
export function general(ctx) {
  const { element, services, t } = ctx;
  const bo = element.businessObject;
  return section(t('general'), [
    textField(t('element_id'), bo.id, () => {}, { readOnly: true, testid: 'prop-id' }),
    textField(t('element_name'), bo.name, (v) => services.modeling.updateProperties(element, { name: v || undefined }),
      { testid: 'prop-name' }),
  ]);
}

/** A drop-down of the literal values a parameter offers (its choices, or True/False). */
function choiceRow(ctx, name, spec, current, type) {
  const { element, services, t, rerender } = ctx;
  const choices = choicesOf(spec);
  if (!choices) { return null; }
  const lit = literal(current.value);
  const chosen = lit && choices.includes(lit.value) ? pythonLiteral(lit.value) : '';
  return selectField(`${name}：${t('choices')}`, chosen, choices.map((c) => ({ value: pythonLiteral(c), label: String(c) })),
    (v) => { if (v) { ext.setParameter(element, name, v, type, services); rerender(); } },
    { testid: `param-choice-${name}`, emptyLabel: t('use_expression') });
}

function parameterRows(ctx, op, operator) {
  const { element, services, t, rerender } = ctx;
  const schema = (op && op.parameters) || {};
  const declared = schema.properties || {};
  const required = schema.required || [];
  const rows = [];
  Object.entries(declared).forEach(([name, spec]) => {
    const type = SPIFF_TYPES[spec.type] || 'any';
    const hint = [spec.description || spec.title, spec.type, spec.enum ? `${t('choices')}: ${spec.enum.join(' / ')}` : '']
      .filter(Boolean).join(' · ');
    const current = (operator && operator.parameters[name]) || {};
    rows.push(choiceRow(ctx, name, spec, current, type));
    rows.push(textField(`${name}${required.includes(name) ? ' *' : ''}`, current.value,
      (v) => { ext.setParameter(element, name, v, type, services); rerender(); },
      { testid: `param-${name}`, hint, placeholder: t('expression') }));
    const problem = current.value ? literalProblem(current.value, spec, t) : '';
    if (problem) {
      const warning = note(`${name}：${problem}`, 'error');
      warning.dataset.testid = `param-problem-${name}`;
      rows.push(warning);
    }
  });
  Object.keys((operator && operator.parameters) || {}).filter((n) => !(n in declared) && op).forEach((name) => {
    rows.push(note(t('undeclared_parameter', { name }), 'error'));
  });
  return rows.filter(Boolean);
}

/** Service task: the operator, its typed parameters and the result variable. */
export function serviceTask(ctx) {
  const { element, services, t, catalog, rerender } = ctx;
  const operator = ext.getOperator(element.businessObject);
  const ops = catalog.operators || [];
  const op = operator && ops.find((o) => o.name === operator.id);
  const options = ops.map((o) => ({ value: o.name, label: o.description ? `${o.name} — ${o.description}` : o.name }));
  const children = [
    selectField(t('operator'), operator ? operator.id : '', options, (v) => { ext.setOperatorName(element, v, services); rerender(); },
      { testid: 'prop-operator', emptyLabel: t('choose_operator'), unknownLabel: t('unknown') }),
  ];
  if (operator && operator.id && !op) { children.push(note(t('unknown_operator'), 'error')); }
  if (operator && operator.id) {
    children.push(textField(t('result_variable'), operator.resultVariable,
      (v) => ext.setResultVariable(element, v, services), { testid: 'prop-result-variable' }));
    children.push(...parameterRows(ctx, op, operator));
  }
  return section(t('service_task'), children);
}

/** User task: form, candidate groups, deadline in working days, instructions. */
export function userTask(ctx) {
  const { element, services, t, catalog, rerender } = ctx;
  const bo = element.businessObject;
  const props = ext.getProperties(bo);
  const forms = catalog.forms || [];
  const set = (name) => (v) => ext.setProperty(element, name, v, services);
  return section(t('user_task'), [
    selectField(t('form'), props.formJsonSchemaFilename, forms.map((f) => ({ value: f.file, label: f.title ? `${f.file} — ${f.title}` : f.file })),
      (v) => {
        const form = forms.find((f) => f.file === v);
        ext.setProperty(element, 'formJsonSchemaFilename', v, services);
        ext.setProperty(element, 'formUiSchemaFilename', form ? form.ui_schema : '', services);
        rerender();
      }, { testid: 'prop-form', emptyLabel: t('no_form'), unknownLabel: t('missing') }),
    groupsField(t('candidate_groups'), props.candidateGroups, catalog.groups || [], set('candidateGroups'),
      { testid: 'prop-candidate-groups', hint: t('candidate_groups_hint') }),
    textField(t('due_in_working_days'), props.dueInWorkingDays, set('dueInWorkingDays'),
      { type: 'number', min: 0, testid: 'prop-due-days' }),
    textArea(t('instructions'), ext.getBody(bo, 'instructionsForEndUser'),
      (v) => ext.setBody(element, 'instructionsForEndUser', v, services), { testid: 'prop-instructions' }),
  ]);
}

/** Lane: the roles (candidate groups) whose members work its tasks. */
export function lane(ctx) {
  const { element, services, t, catalog } = ctx;
  const props = ext.getProperties(element.businessObject);
  return section(t('lane'), [
    groupsField(t('lane_roles'), props.candidateGroups, catalog.groups || [],
      (v) => ext.setProperty(element, 'candidateGroups', v, services),
      { testid: 'prop-lane-groups', hint: t('lane_roles_hint') }),
  ]);
}

/**
 * Start event of a process: the roles that may start it directly (startRoles). Without any, only
 * its parent flow or the service that owns it starts it (docs/processes.md).
 */
export function startEvent(ctx) {
  const { element, services, t, catalog } = ctx;
  const props = ext.getProperties(element.businessObject);
  return section(t('start_event'), [
    groupsField(t('start_roles'), props.startRoles, catalog.roles || [],
      (v) => ext.setProperty(element, 'startRoles', v, services),
      { testid: 'prop-start-roles', hint: t('start_roles_hint') }),
  ]);
}

/** Call activity: the process it starts. */
export function callActivity(ctx) {
  const { element, services, t, catalog } = ctx;
  const options = (catalog.processes || []).map((p) => ({ value: p.key, label: `${p.key} — ${p.name}` }));
  return section(t('call_activity'), [
    selectField(t('called_process'), element.businessObject.calledElement, options,
      (v) => services.modeling.updateProperties(element, { calledElement: v || undefined }),
      { testid: 'prop-called-element', unknownLabel: t('not_deployed') }),
  ]);
}

/** Business rule task: the decision table it evaluates. */
export function businessRuleTask(ctx) {
  const { element, services, t, catalog } = ctx;
  const options = (catalog.decisions || []).map((d) => ({ value: d.key, label: `${d.key} — ${d.name}` }));
  return section(t('business_rule_task'), [
    selectField(t('decision'), ext.getBody(element.businessObject, 'calledDecisionId'), options,
      (v) => ext.setBody(element, 'calledDecisionId', v, services),
      { testid: 'prop-decision', unknownLabel: t('not_deployed') }),
  ]);
}

function timerExpression(definition) {
  for (const kind of ['timeDate', 'timeDuration', 'timeCycle']) {
    if (definition[kind]) { return { kind, body: definition[kind].body || '' }; }
  }
  return { kind: 'timeDate', body: '' };
}

/** Timer: a deadline in working days (written as workdays_from_now(n)), or any expression. */
export function timer(ctx, definition) {
  const { element, services, t, rerender } = ctx;
  const current = timerExpression(definition);
  const days = current.kind === 'timeDate' && WORKDAYS.exec(current.body);
  const write = (kind, body) => {
    const props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    props[kind] = services.moddle.create('bpmn:FormalExpression', { body });
    services.modeling.updateModdleProperties(element, definition, props);
    rerender();
  };
  return section(t('timer'), [
    textField(t('working_days'), days ? days[1] : '', (v) => { if (/^\d+$/.test(v)) { write('timeDate', `workdays_from_now(${v})`); } },
      { type: 'number', min: 1, testid: 'prop-timer-workdays', hint: t('working_days_hint') }),
    selectField(t('timer_kind'), current.kind, ['timeDate', 'timeDuration', 'timeCycle'].map((k) => ({ value: k, label: t(k) })),
      (v) => write(v || 'timeDate', current.body), { testid: 'prop-timer-kind' }),
    textField(t('timer_expression'), current.body, (v) => write(current.kind, v),
      { testid: 'prop-timer-expression', hint: t('timer_expression_hint') }),
  ]);
}

/**
 * Numbers a script sets at its top level (`publication_days = 7  # 公示期`): one number field
 * each, so a policy parameter is changed without touching the script around it.
 */
export function scriptParameters(ctx) {
  const { element, services, t } = ctx;
  const script = element.businessObject.script || '';
  const lines = script.split('\n');
  const fields = [];
  lines.forEach((line, index) => {
    const match = NUMBER_LINE.exec(line);
    if (!match) { return; }
    const [, name, value, comment] = match;
    fields.push(textField(name, value, (v) => {
      if (!/^-?\d+(\.\d+)?$/.test(v.trim())) { return; }
      const now = (element.businessObject.script || '').split('\n');
      now[index] = `${name} = ${v.trim()}${comment ? `  ${comment}` : ''}`;
      services.modeling.updateProperties(element, { script: now.join('\n') });
      ctx.rerender();
    }, { type: 'number', testid: `script-param-${name}`, hint: comment ? comment.replace(/^#\s*/, '') : '' }));
  });
  return fields.length ? section(t('script_parameters'), fields) : null;
}

/** Script task body, pre/post scripts, conditions on outgoing flows of a gateway. */
export function scripts(ctx) {
  const { element, services, t } = ctx;
  const bo = element.businessObject;
  const out = [];
  if (is(bo, 'bpmn:ScriptTask')) {
    out.push(textArea(t('script'), bo.script, (v) => services.modeling.updateProperties(element, { scriptFormat: 'python', script: v }),
      { rows: 6, testid: 'prop-script' }));
  }
  if (is(bo, 'bpmn:SequenceFlow') && bo.sourceRef && is(bo.sourceRef, 'bpmn:Gateway')) {
    const body = bo.conditionExpression ? bo.conditionExpression.body : '';
    out.push(textArea(t('condition'), body, (v) => services.modeling.updateProperties(element, {
      conditionExpression: v.trim() ? services.moddle.create('bpmn:FormalExpression', { body: v }) : undefined,
    }), { testid: 'prop-condition', hint: t('expression_hint') }));
  }
  if (is(bo, 'bpmn:Activity')) {
    out.push(textArea(t('pre_script'), ext.getBody(bo, 'preScript'), (v) => ext.setBody(element, 'preScript', v, services),
      { testid: 'prop-pre-script' }));
    out.push(textArea(t('post_script'), ext.getBody(bo, 'postScript'), (v) => ext.setBody(element, 'postScript', v, services),
      { testid: 'prop-post-script' }));
  }
  return out.length ? section(t('scripts'), [...out, note(t('sandbox_note'))]) : null;
}
