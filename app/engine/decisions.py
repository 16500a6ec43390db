"""Decision engines for business rule tasks."""

from __future__ import annotations

from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser


def engine_for(parser, decision_ref, node):
    """The engine evaluating decision ``decision_ref`` for a business rule task."""
    return BpmnDmnParser.get_engine(parser, decision_ref, node)
