"""Helpers over SpiffWorkflow event definitions."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition


def leaf_events(event) -> list:
    """The event definitions inside a (possibly multiple) event definition.

    An event-based gateway waits on one task whose definition holds every event it races
    (a message and a deadline, say); the host subscribes to, shows and fires each of them.
    """
    if isinstance(event, MultipleEventDefinition):
        return [leaf for sub in event.event_definitions for leaf in leaf_events(sub)]
    return [event]
