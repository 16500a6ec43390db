"""Helpers over SpiffWorkflow event definitions."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition


def leaf_events(event) -> list:
    """The event definitions inside a (possibly multiple) event definition.

    An event-based gateway waits on one task whose definition holds every event it races
    (a message and a deadline, say); the host subscribes to, shows and fires each of them.
    """
    if isinstance(event, MultipleEventDefinition):
        return [leaf for sub in event.event_definitions for leaf in leaf_events(sub)]
    return [event]


def cycle_state(task, event: CycleTimerEventDefinition) -> dict:
    """The state SpiffWorkflow keeps for a time cycle it has not evaluated yet (what its
    ``cycle_complete`` builds on first use): cycles left, next occurrence, seconds between."""
    expression = task.workflow.script_engine.evaluate(task, event.expression)
    cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(expression)
    return {"cycles": cycles, "next": start.isoformat(), "duration": duration.total_seconds()}
