"""Builders for small DMN files in tests."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from app.engine.dmn import Decision, DecisionResult, evaluate_decision, parse_decisions

DATA = Path(__file__).parent / "data"
DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"

_ENVIRONMENT = TaskDataEnvironment()


def python_eval(expression: str, context: dict):
    """Stands in for the host's sandboxed evaluator."""
    return _ENVIRONMENT.evaluate(expression, dict(context))


def _attr(name: str, value) -> str:
    return f" {name}={quoteattr(value)}" if value is not None else ""


def decision_xml(rules, *, inputs=("x",), outputs=("result",), hit_policy=None, aggregation=None,
                 decision_id="d", output_values=None, namespace=DMN13, language=None,
                 input_types=None, extra_decisions="") -> str:
    """A DMN file with one decision table. ``rules`` are ``(input cells, output cells)`` or
    ``(input cells, output cells, annotation)``; ``output_values`` maps an output name to
    the text of its ``outputValues``."""
    output_values = output_values or {}
    parts = [f'<definitions xmlns="{namespace}" id="defs" name="t" namespace="http://example.org"'
             f'{_attr("expressionLanguage", language)}>',
             f'<decision id="{decision_id}" name="Decision {decision_id}">',
             f'<decisionTable id="table_{decision_id}"{_attr("hitPolicy", hit_policy)}'
             f'{_attr("aggregation", aggregation)}>']
    for i, expression in enumerate(inputs):
        type_ref = _attr("typeRef", (input_types or {}).get(expression))
        parts.append(f'<input id="in{i}" label="{escape(expression)}"><inputExpression id="ie{i}"{type_ref}>'
                     f"<text>{escape(expression)}</text></inputExpression></input>")
    for i, name in enumerate(outputs):
        values = output_values.get(name)
        values_xml = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        parts.append(f'<output id="out{i}" name="{name}">{values_xml}</output>')
    for row, rule in enumerate(rules, 1):
        ins, outs = rule[0], rule[1]
        note = f"<description>{escape(rule[2])}</description>" if len(rule) > 2 else ""
        parts.append(f'<rule id="r{row}">{note}')
        parts += [f'<inputEntry id="r{row}i{i}"><text>{escape(t)}</text></inputEntry>'
                  for i, t in enumerate(ins)]
        parts += [f'<outputEntry id="r{row}o{i}"><text>{escape(t)}</text></outputEntry>'
                  for i, t in enumerate(outs)]
        parts.append("</rule>")
    parts += ["</decisionTable></decision>", extra_decisions, "</definitions>"]
    return "".join(parts)


def decision(rules, **kwargs) -> Decision:
    """The compiled decision of :func:`decision_xml`."""
    return parse_decisions(decision_xml(rules, **kwargs), "test.dmn")[kwargs.get("decision_id", "d")]


def evaluate(rules, facts, *, python=False, **kwargs) -> DecisionResult:
    """Builds a one-table decision and evaluates it on ``facts``."""
    return evaluate_decision(decision(rules, **kwargs), facts, python_eval if python else None)


def cell_matches(cell: str, value, *, facts=None, input_type=None, python=False) -> bool:
    """Whether a one-rule table with input cell ``cell`` matches the input ``value``."""
    types = {"x": input_type} if input_type else None
    result = evaluate([([cell], ["true"])], {**(facts or {}), "x": value}, python=python,
                      hit_policy="FIRST", input_types=types)
    return result.outputs == {"result": True}
