// bpmnlint in the browser: a selection of bpmnlint's rules plus two of this system's own
// (a service task must name an operator; a user task should name a form), resolved from a
// static cache so nothing is loaded at run time. The server's deploy checks stay the authority.

import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway';
import fakeJoin from 'bpmnlint/rules/fake-join';
import labelRequired from 'bpmnlint/rules/label-required';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows';
import noGatewayJoinFork from 'bpmnlint/rules/no-gateway-join-fork';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition';
import startEventRequired from 'bpmnlint/rules/start-event-required';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway';

import { t } from './common.js';

const PLUGIN = 'bpmnlint-plugin-housing';

function extension(node, type) {
  const values = (node.extensionElements && node.extensionElements.values) || [];
  return values.find((v) => v.$instanceOf && v.$instanceOf(type));
}

/** Every service task names an operator (spiffworkflow:serviceTaskOperator id). */
function serviceTaskOperator() {
  return {
    check(node, reporter) {
      if (!node.$instanceOf('bpmn:ServiceTask')) { return; }
      const op = extension(node, 'spiffworkflow:ServiceTaskOperator');
      if (!op || !op.id) { reporter.report(node.id, t('lint_no_operator')); }
    },
  };
}

/** Every user task names a form from forms/. */
function userTaskForm() {
  return {
    check(node, reporter) {
      if (!node.$instanceOf('bpmn:UserTask')) { return; }
      const props = extension(node, 'spiffworkflow:Properties');
      const form = props && (props.properties || []).find((p) => p.name === 'formJsonSchemaFilename');
      if (!form || !form.value) { reporter.report(node.id, t('lint_no_form')); }
    },
  };
}

const RULES = {
  'conditional-flows': conditionalFlows,
  'end-event-required': endEventRequired,
  'event-based-gateway': eventBasedGateway,
  'fake-join': fakeJoin,
  'label-required': labelRequired,
  'no-disconnected': noDisconnected,
  'no-duplicate-sequence-flows': noDuplicateSequenceFlows,
  'no-gateway-join-fork': noGatewayJoinFork,
  'no-implicit-split': noImplicitSplit,
  'single-blank-start-event': singleBlankStartEvent,
  'single-event-definition': singleEventDefinition,
  'start-event-required': startEventRequired,
  'sub-process-blank-start-event': subProcessBlankStartEvent,
  'superfluous-gateway': superfluousGateway,
};

const cache = {};
Object.entries(RULES).forEach(([name, rule]) => { cache[`rule:bpmnlint/${name}`] = rule; });
cache[`rule:${PLUGIN}/service-task-operator`] = serviceTaskOperator;
cache[`rule:${PLUGIN}/user-task-form`] = userTaskForm;

export default {
  config: {
    rules: {
      'conditional-flows': 'error',
      'end-event-required': 'error',
      'event-based-gateway': 'error',
      'fake-join': 'warn',
      'label-required': 'warn',
      'no-disconnected': 'error',
      'no-duplicate-sequence-flows': 'error',
      'no-gateway-join-fork': 'warn',
      'no-implicit-split': 'warn',
      'single-blank-start-event': 'error',
      'single-event-definition': 'error',
      'start-event-required': 'error',
      'sub-process-blank-start-event': 'error',
      'superfluous-gateway': 'warn',
      'housing/service-task-operator': 'error',
      'housing/user-task-form': 'warn',
    },
  },
  resolver: new StaticResolver(cache),
};
