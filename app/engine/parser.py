"""Parsing BPMN and DMN files into SpiffWorkflow specs, with the host's own task specs.

:class:`HostBpmnParser` is SpiffWorkflow's ``SpiffBpmnParser`` (it reads the ``spiffworkflow:``
extensions SpiffArena writes) with three changes: service tasks become
:class:`~app.engine.specs.AsyncServiceTask`; message catch events merge their payload; lanes may
carry ``candidateGroups`` in their own ``spiffworkflow:properties``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, ParallelGateway
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SPIFFWORKFLOW_NSMAP, ServiceTaskParser
from SpiffWorkflow.spiff.specs.defaults import ParallelMultiInstanceTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition

from app.engine.decisions import DecisionSources, engine_for
from app.engine.events import leaf_events
from app.engine.implicit import with_implicit_gateways
from app.engine.specs import (
    AsyncServiceTask,
    HostMessageEventDefinition,
    HostParallelGateway,
    HostParallelMultiInstanceTask,
    HostSignalEventDefinition,
    RearmingBoundaryEvent,
    StartCycleTimerEventDefinition,
    link_like_the_serializer,
)

__all__ = ["VALIDATOR", "Document", "DocumentError", "HostBpmnParser", "build_parser", "read_document"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)


class HostBpmnParser(SpiffBpmnParser):
    """SpiffArena-compatible parser producing the host's task specs."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, AsyncServiceTask),
    }

    def __init__(self, validate: bool = True):
        super().__init__(validator=VALIDATOR if validate else None)
        #: lane name → candidate groups declared on the lane
        self.lane_groups: dict[str, list[str]] = {}
        self.decision_sources = DecisionSources()

    def add_dmn_xml(self, node, filename=None):
        """Keep a DMN file for the FEEL engine; every decision in it becomes callable."""
        ns = etree.QName(node).namespace
        ids = [d.get("id") for d in node.findall(f"{{{ns}}}decision") if d.get("id")]
        self.decision_sources.add(filename or "", etree.tostring(node), ids)

    def add_bpmn_xml(self, bpmn, filename=None):
        # the schema makes a parameter's type optional, SpiffWorkflow's parser does not
        for param in bpmn.iter("{http://spiffworkflow.org/bpmn/schema/1.0/core}parameter"):
            if param.get("type") is None:
                param.set("type", "any")
        super().add_bpmn_xml(with_implicit_gateways(bpmn), filename)

    def _add_diagram_indexes(self, bpmn):
        super()._add_diagram_indexes(bpmn)
        for lane in bpmn.xpath(".//bpmn:lane", namespaces=self.namespaces):
            groups = lane.xpath(
                "./bpmn:extensionElements/spiffworkflow:properties/"
                "spiffworkflow:property[@name='candidateGroups']/@value",
                namespaces={**self.namespaces, **SPIFFWORKFLOW_NSMAP},
            )
            if groups and lane.get("name"):
                self.lane_groups[lane.get("name")] = split_groups(groups[0])

    def get_engine(self, decision_ref, node):
        """The FEEL-capable decision engine for a business rule task."""
        return engine_for(self, decision_ref, node)

    def finish_spec(self, spec) -> None:
        """Swap in host classes on a parsed process spec, then attach the runtime links
        SpiffWorkflow's serializer would (specs are never serialised here, only cached).

        Message and signal events, thrown and caught, get the host's definitions, which keep what
        an instance throws for other instances (thrower and catcher must be of one class to match).
        A start timer cycle is the scheduler's only on a process's own start events: an event
        sub-process keeps SpiffWorkflow's cycle, which starts its path once per occurrence. A
        non-interrupting timer boundary is not re-armed: a date or a duration occurs once, and a
        cycle repeats by itself.
        """
        process_parser = self.process_parsers.get(spec.name)
        event_subprocess = process_parser is not None and \
            process_parser.node.get("triggeredByEvent") == "true"
        for task_spec in spec.task_specs.values():
            if type(task_spec) is ParallelMultiInstanceTask:
                task_spec.__class__ = HostParallelMultiInstanceTask
            if type(task_spec) is ParallelGateway:
                task_spec.__class__ = HostParallelGateway
            if type(task_spec) is BoundaryEvent and not task_spec.cancel_activity and not all(
                    isinstance(e, TimerEventDefinition) for e in leaf_events(task_spec.event_definition)):
                task_spec.__class__ = RearmingBoundaryEvent
            if isinstance(task_spec, (CatchingEvent, ThrowingEvent)):
                for event in leaf_events(task_spec.event_definition):  # also inside event-based gateways
                    if type(event) is MessageEventDefinition:
                        event.__class__ = HostMessageEventDefinition
                    if type(event) is SignalEventDefinition:
                        event.__class__ = HostSignalEventDefinition
                    if type(event) is CycleTimerEventDefinition and isinstance(task_spec, StartEvent) \
                            and not event_subprocess:
                        event.__class__ = StartCycleTimerEventDefinition
        link_like_the_serializer(spec)  # after the class swaps: callbacks bind the final classes


def split_groups(value: str | None) -> list[str]:
    """``"a, b"`` → ``["a", "b"]``."""
    return [g.strip() for g in (value or "").split(",") if g.strip()]


@dataclass
class Document:
    """One uploaded or stored file, classified and indexed."""

    file_name: str
    content: bytes
    kind: str  # "bpmn" | "dmn"
    root: etree._Element
    processes: list[tuple[str, str, bool]] = field(default_factory=list)  # id, name, executable
    decisions: list[tuple[str, str]] = field(default_factory=list)  # id, name


class DocumentError(ValueError):
    """A file is not well-formed BPMN or DMN XML."""

    def __init__(self, file_name: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file_name = file_name
        self.message = message
        self.line = line


def read_document(file_name: str, content: bytes) -> Document:
    """Parse and classify a file; raises :class:`DocumentError`."""
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise DocumentError(file_name, f"not well-formed XML: {exc.msg}", exc.lineno) from None
    ns = etree.QName(root).namespace
    if ns == BPMN_NS:
        doc = Document(file_name, content, "bpmn", root)
        for proc in root.findall(f"{{{BPMN_NS}}}process"):
            if not proc.get("id"):  # the schema leaves it optional; a process is deployed under its id
                raise DocumentError(file_name, f"a process ({proc.get('name') or 'unnamed'}) has no id",
                                    proc.sourceline)
            doc.processes.append(
                (proc.get("id"), proc.get("name") or proc.get("id"), proc.get("isExecutable", "true") != "false")
            )
        if not doc.processes:
            raise DocumentError(file_name, "the BPMN file has no process")
        return doc
    if ns in DMN_NAMESPACES:
        doc = Document(file_name, content, "dmn", root)
        for dec in root.findall(f"{{{ns}}}decision"):
            doc.decisions.append((dec.get("id"), dec.get("name") or dec.get("id")))
        if not doc.decisions:
            raise DocumentError(file_name, "the DMN file has no decision")
        return doc
    raise DocumentError(file_name, f"neither BPMN 2.0 nor DMN: root element is {root.tag}")


def process_dependencies(doc: Document, process_id: str) -> dict[str, list[str]]:
    """The process keys (call activities) and decision ids a process of ``doc`` refers to."""
    proc = doc.root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    if proc is None:
        return {"processes": [], "decisions": []}
    called = sorted({el.get("calledElement") for el in proc.iter(f"{{{BPMN_NS}}}callActivity")
                     if el.get("calledElement")})
    decisions = set()
    for el in proc.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        for ref in el.xpath("./bpmn:extensionElements/spiffworkflow:calledDecisionId/text()",
                            namespaces={"bpmn": BPMN_NS, **SPIFFWORKFLOW_NSMAP}):
            decisions.add(ref.strip())
    return {"processes": called, "decisions": sorted(decisions)}


#: the ``spiffworkflow:properties`` entry of a start event naming who may start the process directly
START_ROLES = "startRoles"


def start_events(doc: Document, process_id: str) -> dict[str, list[str]]:
    """Message and signal names, timer expressions and start roles of a process's top-level
    start events.

    ``start_roles`` are the roles any top-level start event lets start the process directly
    (its ``startRoles`` property); none means only a parent flow or a service starts it.
    """
    proc = doc.root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    out: dict[str, list[str]] = {"messages": [], "signals": [], "timers": [], "start_roles": []}
    if proc is None:
        return out
    messages = {m.get("id"): m.get("name") or m.get("id") for m in doc.root.iter(f"{{{BPMN_NS}}}message")}
    signals = {m.get("id"): m.get("name") or m.get("id") for m in doc.root.iter(f"{{{BPMN_NS}}}signal")}
    roles: set[str] = set()
    for start in proc.findall(f"{{{BPMN_NS}}}startEvent"):
        for value in start.xpath(f"./bpmn:extensionElements/spiffworkflow:properties/"
                                 f"spiffworkflow:property[@name='{START_ROLES}']/@value",
                                 namespaces={"bpmn": BPMN_NS, **SPIFFWORKFLOW_NSMAP}):
            roles.update(split_groups(value))
        for med in start.findall(f"{{{BPMN_NS}}}messageEventDefinition"):
            ref = med.get("messageRef")
            out["messages"].append(messages.get(ref, ref))
        for sed in start.findall(f"{{{BPMN_NS}}}signalEventDefinition"):
            ref = sed.get("signalRef")
            out["signals"].append(signals.get(ref, ref))
        for ted in start.findall(f"{{{BPMN_NS}}}timerEventDefinition"):
            for child in ted:
                if child.text:
                    out["timers"].append(f"{etree.QName(child).localname}:{child.text.strip()}")
    out["start_roles"] = sorted(roles)
    return out


def build_parser(documents: list[Document], validate: bool = True) -> HostBpmnParser:
    """A parser loaded with the given documents (DMN first, so decisions resolve)."""
    parser = HostBpmnParser(validate=validate)
    for doc in sorted(documents, key=lambda d: d.kind != "dmn"):
        if doc.kind == "dmn":
            parser.add_dmn_xml(doc.root, filename=doc.file_name)
        else:
            parser.add_bpmn_xml(doc.root, filename=doc.file_name)
    return parser
