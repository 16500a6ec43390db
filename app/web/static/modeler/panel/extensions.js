// Reading and writing the spiffworkflow: extension elements the engine reads, through
// bpmn-js modeling commands (so every change can be undone and marks the diagram dirty).
// Moddle types are capitalised (spiffworkflow:Properties); their XML tags are not
// (<spiffworkflow:properties>), as in bpmn-moddle itself.

const SPIFF = 'spiffworkflow:';
const type = (localName) => SPIFF + localName[0].toUpperCase() + localName.slice(1);

/** The first extension element of moddle type `typeName` (e.g. 'spiffworkflow:Properties'). */
export function getExtension(bo, typeName) {
  const values = (bo.extensionElements && bo.extensionElements.get('values')) || [];
  return values.find((v) => v.$instanceOf(typeName));
}

/** The business object's extension element of `typeName`, created (empty) when missing. */
export function ensureExtension(element, typeName, attrs, services) {
  const { modeling, moddle } = services;
  const bo = element.businessObject;
  let extensions = bo.extensionElements;
  if (!extensions) {
    extensions = moddle.create('bpmn:ExtensionElements', { values: [] });
    modeling.updateModdleProperties(element, bo, { extensionElements: extensions });
  }
  let found = getExtension(bo, typeName);
  if (!found) {
    found = moddle.create(typeName, attrs || {});
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.get('values'), found] });
  }
  return found;
}

/** Remove the extension element of `typeName`, if any. */
export function removeExtension(element, typeName, services) {
  const bo = element.businessObject;
  const found = getExtension(bo, typeName);
  if (found) {
    const values = bo.extensionElements.get('values').filter((v) => v !== found);
    services.modeling.updateModdleProperties(element, bo.extensionElements, { values });
  }
}

/** name → value of the spiffworkflow:property entries. */
export function getProperties(bo) {
  const holder = getExtension(bo, type('properties'));
  const out = {};
  ((holder && holder.get('properties')) || []).forEach((p) => { out[p.name] = p.value; });
  return out;
}

/** Set (or, with an empty value, remove) one spiffworkflow:property. */
export function setProperty(element, name, value, services) {
  const bo = element.businessObject;
  const empty = value === undefined || value === null || String(value).trim() === '';
  const existing = getExtension(bo, type('properties'));
  if (empty && !existing) { return; }
  const holder = existing || ensureExtension(element, type('properties'), { properties: [] }, services);
  const list = holder.get('properties');
  const prop = list.find((p) => p.name === name);
  if (empty) {
    if (prop) {
      services.modeling.updateModdleProperties(element, holder, { properties: list.filter((p) => p !== prop) });
    }
    return;
  }
  if (prop) {
    services.modeling.updateModdleProperties(element, prop, { value: String(value) });
  } else {
    const created = services.moddle.create(type('property'), { name, value: String(value) });
    services.modeling.updateModdleProperties(element, holder, { properties: [...list, created] });
  }
}

/** The text of a body-only extension (calledDecisionId, instructionsForEndUser, preScript …). */
export function getBody(bo, localName) {
  const found = getExtension(bo, type(localName));
  return found ? (found.value || '') : '';
}

/** Set (or, when empty, remove) a body-only extension element. */
export function setBody(element, localName, value, services) {
  if (!value || !String(value).trim()) {
    removeExtension(element, type(localName), services);
    return;
  }
  const found = ensureExtension(element, type(localName), { value }, services);
  if (found.value !== value) {
    services.modeling.updateModdleProperties(element, found, { value });
  }
}

/** {id, resultVariable, parameters: {id: {value, type}}} of a service task, or null. */
export function getOperator(bo) {
  const op = getExtension(bo, type('serviceTaskOperator'));
  if (!op) { return null; }
  const params = {};
  ((op.parameterList && op.parameterList.get('parameters')) || []).forEach((p) => {
    params[p.id] = { value: p.value || '', type: p.type || 'any' };
  });
  return { id: op.id || '', resultVariable: op.resultVariable || '', parameters: params };
}

function operatorElement(element, services) {
  const op = ensureExtension(element, type('serviceTaskOperator'), {}, services);
  if (!op.parameterList) {
    const list = services.moddle.create(type('parameters'), { parameters: [] });
    services.modeling.updateModdleProperties(element, op, { parameterList: list });
  }
  return op;
}

/** Bind the service task to an operator (an empty name removes the binding). */
export function setOperatorName(element, name, services) {
  if (!name) {
    removeExtension(element, type('serviceTaskOperator'), services);
    return;
  }
  services.modeling.updateModdleProperties(element, operatorElement(element, services), { id: name });
}

/** Set the variable the operator's result lands in. */
export function setResultVariable(element, name, services) {
  const op = operatorElement(element, services);
  services.modeling.updateModdleProperties(element, op, { resultVariable: name || undefined });
}

/** Set (or, when empty, remove) one operator parameter's expression. */
export function setParameter(element, id, value, paramType, services) {
  const op = operatorElement(element, services);
  const list = op.parameterList;
  const params = list.get('parameters');
  const found = params.find((p) => p.id === id);
  if (!value || !String(value).trim()) {
    if (found) {
      services.modeling.updateModdleProperties(element, list, { parameters: params.filter((p) => p !== found) });
    }
    return;
  }
  if (found) {
    services.modeling.updateModdleProperties(element, found, { value, type: paramType || found.type || 'any' });
  } else {
    const created = services.moddle.create(type('parameter'), { id, type: paramType || 'any', value });
    services.modeling.updateModdleProperties(element, list, { parameters: [...params, created] });
  }
}
