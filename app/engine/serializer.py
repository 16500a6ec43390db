"""Saving and loading workflow state without the process spec.

An instance stores only its task tree and data; the spec is rebuilt from the definition
versions it refers to (see :mod:`app.engine.bundle`). The stored JSON carries
``format`` (this module's layout) and ``serializer_version`` (SpiffWorkflow's); older layouts
are upgraded on load by the functions in :data:`UPGRADES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition

from app import jsonio
from app.engine.compaction import Archive, compact, relink, restore_root_from_caller, whole_state
from app.engine.specs import HostMessageEventDefinition, HostSignalEventDefinition, StartCycleTimerEventDefinition

#: The layout written by :func:`dumps`.
STATE_FORMAT = 1

#: format version → function upgrading a loaded dict to the next format, in place.
UPGRADES: dict[int, Callable[[dict], None]] = {}


class StateFormatError(ValueError):
    """Stored state cannot be read by this version of the application."""


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Converts a top-level workflow without its spec; the spec is supplied on restore."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _SubWorkflowConverter(BpmnSubWorkflowConverter):
    """Restores a subprocess whose root data was stored against its caller's (compaction)."""

    def from_dict(self, dct, task, top_workflow):
        restore_root_from_caller(dct, task, self.registry)
        return super().from_dict(dct, task, top_workflow)


def _make_serializer() -> BpmnWorkflowSerializer:
    # the host's event classes appear in task data (an event-based gateway keeps the events it
    # has seen), so they serialise under their own names, like SpiffWorkflow's own
    config = {
        **SPIFF_CONFIG,
        HostMessageEventDefinition: SPIFF_CONFIG[MessageEventDefinition],
        HostSignalEventDefinition: SPIFF_CONFIG[SignalEventDefinition],
        StartCycleTimerEventDefinition: DEFAULT_CONFIG[CycleTimerEventDefinition],
    }
    registry = BpmnWorkflowSerializer.configure(config)
    _SpecFreeWorkflowConverter(BpmnWorkflow, registry)
    _SubWorkflowConverter(BpmnSubWorkflow, registry)
    return BpmnWorkflowSerializer(registry)


_serializer = _make_serializer()


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow's whole state as JSON text (no spec), finished work included."""
    return _encode(_to_dict(workflow))


def dumps_live(workflow: BpmnWorkflow) -> tuple[str, Archive]:
    """The workflow's live state as JSON text, and the finished work cut from it (see
    :mod:`app.engine.compaction`); what an instance row stores."""
    dct = _to_dict(workflow)
    archive = compact(workflow, dct)
    return _encode(dct), archive


def encode_archived(tasks: list[dict]) -> str:
    """Serialized tasks cut from a state (:attr:`Archive.workflows`) as JSON text."""
    return _encode(tasks)


def _to_dict(workflow: BpmnWorkflow) -> dict:
    registry = _serializer.registry
    registry._encoder_mode = True
    try:
        dct = _serializer.to_dict(workflow)
    finally:
        registry._encoder_mode = False
    dct["format"] = STATE_FORMAT
    dct[_serializer.VERSION_KEY] = SPIFF_SERIALIZER_VERSION
    return dct


_default = _serializer._encoder_cls().default  # SpiffWorkflow's: datetimes, timedeltas, sets…


def _encode(dct: dict | list) -> str:
    return jsonio.dumps(dct, _default)


def loads(text: str, spec, subprocess_specs: dict) -> BpmnWorkflow:
    """Rebuild a workflow from :func:`dumps` output and its specs, upgrading old layouts."""
    return _from_dict(json.loads(text), spec, subprocess_specs)


def loads_whole(text: str, archived: list[str], spec, subprocess_specs: dict) -> BpmnWorkflow:
    """The workflow with the finished work compaction archived put back (``archived``: the
    instance's :func:`encode_archived` texts, oldest first) — for reading what already happened
    (which script ran on which data), never for stepping."""
    workflow = _from_dict(whole_state(json.loads(text), [json.loads(a) for a in archived]), spec, subprocess_specs)
    relink(workflow)
    return workflow


def _from_dict(dct: dict, spec, subprocess_specs: dict) -> BpmnWorkflow:
    fmt = dct.pop("format", 0)
    while fmt < STATE_FORMAT:
        if fmt not in UPGRADES:
            raise StateFormatError(f"no upgrade from state format {fmt}")
        UPGRADES[fmt](dct)
        fmt += 1
    if fmt > STATE_FORMAT:
        raise StateFormatError(f"state format {fmt} is newer than this application ({STATE_FORMAT})")
    version = dct.pop(_serializer.VERSION_KEY, SPIFF_SERIALIZER_VERSION)
    if version != SPIFF_SERIALIZER_VERSION:
        raise StateFormatError(
            f"state written by SpiffWorkflow serializer {version}, this application reads "
            f"{SPIFF_SERIALIZER_VERSION}; add an upgrade"
        )
    return _serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
