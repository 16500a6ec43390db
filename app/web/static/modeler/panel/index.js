// The properties panel: shows the fields of the selected element and writes them back through
// modeling commands. It re-renders when the selection changes, after undo/redo, and when a
// field changes what other fields apply (choosing an operator shows its parameters).

import * as sections from './sections.js';

function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

function timerDefinition(bo) {
  return (bo.eventDefinitions || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

/** The fieldsets for one element. */
function build(ctx) {
  const bo = ctx.element.businessObject;
  const parts = [sections.general(ctx)];
  if (is(bo, 'bpmn:ServiceTask')) { parts.push(sections.serviceTask(ctx)); }
  if (is(bo, 'bpmn:UserTask')) { parts.push(sections.userTask(ctx)); }
  if (is(bo, 'bpmn:Lane')) { parts.push(sections.lane(ctx)); }
  if (is(bo, 'bpmn:StartEvent') && is(bo.$parent, 'bpmn:Process')) { parts.push(sections.startEvent(ctx)); }
  if (is(bo, 'bpmn:CallActivity')) { parts.push(sections.callActivity(ctx)); }
  if (is(bo, 'bpmn:BusinessRuleTask')) { parts.push(sections.businessRuleTask(ctx)); }
  const timer = timerDefinition(bo);
  if (timer) { parts.push(sections.timer(ctx, timer)); }
  if (is(bo, 'bpmn:ScriptTask')) { parts.push(sections.scriptParameters(ctx)); }
  parts.push(sections.scripts(ctx));
  return parts.filter(Boolean);
}

export default class PropertiesPanel {
  /**
   * @param {object} modeler a bpmn-js Modeler
   * @param {HTMLElement} container where the panel is drawn
   * @param {object} catalog operators, forms, processes, decisions, groups (from the server)
   * @param {Function} t the page's text lookup
   */
  constructor(modeler, container, catalog, t) {
    this.modeler = modeler;
    this.container = container;
    this.catalog = catalog;
    this.t = t;
    this.element = null;
    const bus = modeler.get('eventBus');
    bus.on('selection.changed', (e) => this.show(e.newSelection.length === 1 ? e.newSelection[0] : null));
    bus.on('commandStack.changed', () => {
      if (!this.container.contains(document.activeElement)) { this.render(); }
    });
    bus.on('import.done', () => this.show(null));
  }

  /** Show the fields of `element` (or of the process when nothing is selected). */
  show(element) {
    this.element = element;
    this.render();
  }

  /** Draw the panel again for the current element. */
  render() {
    const registry = this.modeler.get('elementRegistry');
    let element = this.element && registry.get(this.element.id);
    if (!element) {
      const root = this.modeler.get('canvas').getRootElement();
      element = root && root.businessObject && is(root.businessObject, 'bpmn:Process') ? root : null;
    }
    this.container.innerHTML = '';
    if (!element || element.type === 'label') {
      this.container.innerHTML = `<p class="hint">${this.t('select_element')}</p>`;
      return;
    }
    const ctx = {
      element,
      services: { modeling: this.modeler.get('modeling'), moddle: this.modeler.get('moddle') },
      catalog: this.catalog,
      t: this.t,
      rerender: () => this.render(),
    };
    this.container.dataset.element = element.id;
    build(ctx).forEach((part) => this.container.appendChild(part));
  }
}
