"""Loading DMN files: parse, compile every cell, report problems.

:func:`validate_dmn` is for the deploy API and the modeler (a list of problems, never an
exception); :func:`parse_decisions` is for the engine (the decisions, or one
:class:`~.errors.DmnValidationError` carrying the problems).
"""

from __future__ import annotations

from .compiler import compile_decision, compile_knowledge
from .errors import ERROR, DmnValidationError, Problem
from .model import Decision
from .overlap import find_overlaps
from .xml_parser import read_dmn


def load_dmn(xml: bytes | str, filename: str) -> tuple[list[Decision], list[Problem]]:
    """Parses ``xml`` and compiles every cell; returns the decisions and all error-level
    problems (the decisions are only safe to evaluate when there are none)."""
    decisions, problems = read_dmn(xml, filename)
    graph = decisions[0].graph if decisions else None
    if graph is not None:
        names = frozenset(graph.names())
        for knowledge in graph.knowledge.values():
            problems.extend(compile_knowledge(knowledge, names, filename))
    for decision in decisions:
        problems.extend(compile_decision(decision))
    return decisions, problems


def validate_dmn(xml: bytes | str, filename: str) -> list[Problem]:
    """Every problem of a DMN file: XML and structure faults, cells that do not compile (with
    the cell's id and the rule's row), and, once there are no other errors, errors for rules of
    UNIQUE tables that certainly match the same facts. No error means the file can be deployed."""
    decisions, problems = load_dmn(xml, filename)
    if not any(problem.severity == ERROR for problem in problems):
        for decision in decisions:
            problems.extend(find_overlaps(decision))
    return problems


def parse_decisions(xml: bytes | str, filename: str) -> dict[str, Decision]:
    """The decisions of a DMN file by id, compiled and ready to evaluate.

    Raises :class:`~.errors.DmnValidationError` (with ``.problems``) if the file has errors;
    warnings are not checked here (see :func:`validate_dmn`).
    """
    decisions, problems = load_dmn(xml, filename)
    errors = [problem for problem in problems if problem.severity == ERROR]
    if errors:
        raise DmnValidationError(errors)
    return {decision.id: decision for decision in decisions}
