"""Deploy-time checks that what deploys also starts.

Two kinds, each naming the element and the construct:

* :func:`construct_problems` finds BPMN 2.0.2 constructs the engine does not run, read from the
  XML: data stores (a process keeps its data in its instance; outside data comes through a
  service task), ad-hoc sub-processes (SpiffWorkflow starts every activity at once and fails
  completing them; with sequential ordering, the interleaved routing pattern, that is plainly
  wrong), flow nodes it has no task for (complex gateways, choreographies) and events it has no
  event definition for (compensation and link events, compensation handlers) that it would
  otherwise silently skip or treat as none events.
* :func:`start_problems` finishes the parsed specs exactly as a running instance gets them, builds
  a workflow from them and checks every task spec's wiring (a process or sub-process whose start
  has nothing to run fails on its first step otherwise). Building a workflow runs no scripts,
  evaluates nothing and touches nothing outside it: a deploy stays cheap.
"""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from app.engine.parser import BPMN_NS, HostBpmnParser

__all__ = ["construct_problems", "start_problems"]

#: flow nodes BPMN 2.0.2 defines that this engine has no task for
_UNSUPPORTED = {
    "complexGateway": "a complex gateway",
    "callChoreography": "a call choreography",
    "choreographyTask": "a choreography task",
    "subChoreography": "a sub-choreography",
    "implicitThrowEvent": "an implicit throw event",
}

#: event definitions SpiffWorkflow reads as none events: (construct, what to draw instead)
_NONE_EVENTS: dict[str, tuple[str, str]] = {
    "compensateEventDefinition": ("compensation event", "the engine has no compensation; model the undo "
                                  "step with an error or escalation boundary event and its own path"),
    "linkEventDefinition": ("link event", "a link throw would end its token there; draw the sequence "
                            "flow instead"),
}


def _tag(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def construct_problems(root: etree._Element) -> list[tuple[str | None, str, int | None]]:
    """``(element id, message, line)`` for every construct of a BPMN document the engine does not run."""
    out: list[tuple[str | None, str, int | None]] = []
    stores = {s.get("id"): s for s in root.iter(_tag("dataStore"))}
    referenced = set()
    for ref in root.iter(_tag("dataStoreReference")):
        store = stores.get(ref.get("dataStoreRef"))
        referenced.add(ref.get("dataStoreRef"))
        label = (store.get("name") if store is not None else None) or ref.get("name") or ref.get("id")
        out.append((ref.get("id"), f"data store {label!r} (dataStoreReference): data stores have no "
                    "implementation here; keep the data in the process or reach it through a service task",
                    ref.sourceline))
    for store_id, store in stores.items():
        if store_id not in referenced:
            out.append((store_id, f"data store {store.get('name') or store_id!r} (dataStore): data stores "
                        "have no implementation here", store.sourceline))
    for adhoc in root.iter(_tag("adHocSubProcess")):
        if (adhoc.get("ordering") or "").lower() == "sequential":
            why = ("with ordering=\"Sequential\" (interleaved routing) is not supported: the engine would "
                   "run its activities at the same time")
        else:
            why = ("is not supported: the engine cannot let people choose which activities to run, nor "
                   "complete one reliably")
        out.append((adhoc.get("id"), f"ad-hoc sub-process (adHocSubProcess) {why}; model the order "
                    "with sequence flows and gateways", adhoc.sourceline))
    for definition_tag, (construct, instead) in _NONE_EVENTS.items():
        for definition in root.iter(_tag(definition_tag)):
            event = definition.getparent()
            out.append((event.get("id"), f"{construct} ({etree.QName(event).localname} with {definition_tag}) is "
                        f"not supported: the engine would treat it as a none event; {instead}", event.sourceline))
    for activity in root.xpath("//*[@isForCompensation='true']"):
        out.append((activity.get("id"), f"compensation handler ({etree.QName(activity).localname} with "
                    "isForCompensation=\"true\") is not supported: nothing would ever run it", activity.sourceline))
    for name, what in _UNSUPPORTED.items():
        for node in root.iter(_tag(name)):
            out.append((node.get("id"), f"{what} ({name}) is not supported by this engine", node.sourceline))
    return out


def start_problems(parser: HostBpmnParser, spec, subprocess_specs: dict) -> list[tuple[str | None, str]]:
    """``(element id, message)`` for what would stop a new instance of ``spec`` on its first step."""
    specs = [spec, *subprocess_specs.values()]
    for each in specs:
        parser.finish_spec(each)
    out: list[tuple[str | None, str]] = []
    for each in specs:
        for task_spec in each.task_specs.values():
            try:
                task_spec.test()
            except SpiffWorkflowException as exc:
                element = getattr(task_spec, "bpmn_id", None) or each.name
                out.append((element, f"{_where(each, task_spec)} cannot run: {_message(each, task_spec, exc)}"))
    if out:
        return out
    try:
        BpmnWorkflow(spec, subprocess_specs)
    except Exception as exc:  # noqa: BLE001 - whatever stops the build stops every start
        out.append((spec.name, f"process cannot start: {type(exc).__name__}: {exc}"))
    return out


def _where(spec, task_spec) -> str:
    if getattr(task_spec, "bpmn_id", None):
        return f"{type(task_spec).__name__} {task_spec.bpmn_id!r}"
    return f"(sub-)process {spec.name!r}"


def _message(spec, task_spec, exc: SpiffWorkflowException) -> str:
    if task_spec is spec.start:
        return "it has no start event to begin with"
    if task_spec is spec.end:
        return "no sequence flow reaches an end event, so it could never complete"
    text = next((a for a in exc.args if isinstance(a, str)), "") or str(exc)
    return text.strip().rstrip(".")
