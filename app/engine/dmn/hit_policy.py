"""Hit policies: which matching rules make the result, and the shape of that result.

Single-hit policies (UNIQUE, FIRST, PRIORITY, ANY) give ``{output: value}`` (``{}`` when no rule
matches); COLLECT, RULE ORDER and OUTPUT ORDER give ``{output: [value, ...]}`` in the way
SpiffWorkflow's COLLECT does; an aggregation (SUM, MIN, MAX, COUNT) gives ``{output: number}``.
Output names with dots (``household.level``) build nested dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import DmnEvaluationError, HitPolicyViolation
from .feel_values import decimal_or_none, feel_compare, feel_equal, to_decimal, to_python
from .model import Aggregation, DecisionTable, HitPolicy, Rule


@dataclass
class Hit:
    """A rule whose input entries all matched, with its output values (one per output)."""

    rule: Rule
    values: list[Any] = field(default_factory=list)


def check_unique(table: DecisionTable, hits: list[Hit]) -> None:
    """Raises :class:`HitPolicyViolation` when a UNIQUE table matched more than one rule."""
    if table.hit_policy is HitPolicy.UNIQUE and len(hits) > 1:
        rules = ", ".join(hit.rule.label for hit in hits)
        raise HitPolicyViolation(
            f"decision '{table.decision_name or table.decision_id}' has hit policy UNIQUE but "
            f"{len(hits)} rules match: {rules}; make the rules exclusive or choose another hit policy",
            decision_id=table.decision_id,
            rules=[(hit.rule.row_number, hit.rule.id) for hit in hits],
        )


def select(table: DecisionTable, hits: list[Hit]) -> list[Hit]:
    """The hits that make the result, in result order, by the table's hit policy."""
    policy = table.hit_policy
    check_unique(table, hits)
    if not hits:
        return []
    if policy is HitPolicy.FIRST:
        return hits[:1]
    if policy is HitPolicy.PRIORITY:
        return [min(hits, key=lambda hit: priority(table, hit))]
    if policy is HitPolicy.OUTPUT_ORDER:
        return sorted(hits, key=lambda hit: priority(table, hit))
    if policy is HitPolicy.ANY:
        _check_any(table, hits)
    return hits


def priority(table: DecisionTable, hit: Hit) -> tuple[int, ...]:
    """A sort key: for each output, the position of the hit's value in the output's
    ``outputValues`` (earlier is higher priority; a value not listed comes last)."""
    key = []
    for output, value in zip(table.outputs, hit.values, strict=False):
        ranked = output.priority_values
        position = next((i for i, v in enumerate(ranked) if feel_equal(value, v) is True), len(ranked))
        key.append(position)
    return tuple(key)


def _check_any(table: DecisionTable, hits: list[Hit]) -> None:
    first = hits[0]
    for other in hits[1:]:
        for output, mine, theirs in zip(table.outputs, first.values, other.values, strict=False):
            if feel_equal(mine, theirs) is not True:
                raise HitPolicyViolation(
                    f"decision '{table.decision_name or table.decision_id}' has hit policy ANY but "
                    f"matching rules disagree on '{output.key}': {first.rule.label} gives "
                    f"{to_python(mine)!r}, {other.rule.label} gives {to_python(theirs)!r}",
                    decision_id=table.decision_id,
                    rules=[(first.rule.row_number, first.rule.id), (other.rule.row_number, other.rule.id)],
                )


def combine(table: DecisionTable, selected: list[Hit]) -> dict[str, Any]:
    """The result dict of the selected hits (see the module docstring for its shape)."""
    if table.aggregation is not None:
        return nest((output.key, aggregate(table, index, selected))
                    for index, output in enumerate(table.outputs))
    if not table.hit_policy.is_multi_hit:
        return rule_outputs(table, selected[0]) if selected else {}
    result: dict[str, list] = {}
    for hit in selected:  # SpiffWorkflow's COLLECT: one list per top-level key
        for key, value in rule_outputs(table, hit).items():
            result.setdefault(key, []).append(value)
    return result


def rule_outputs(table: DecisionTable, hit: Hit) -> dict[str, Any]:
    """One rule's outputs as a (nested) dict of plain Python values."""
    pairs = zip(table.outputs, hit.values, strict=False)
    return nest((output.key, to_python(value)) for output, value in pairs)


def aggregate(table: DecisionTable, index: int, selected: list[Hit]) -> Any:
    """SUM, MIN, MAX or COUNT of one output over the hits; nulls (empty cells) are left out.
    COUNT counts values (as Camunda does), SUM/MIN/MAX of nothing is ``None``."""
    aggregation = table.aggregation
    pairs = [(hit, hit.values[index]) for hit in selected if hit.values[index] is not None]
    if aggregation is Aggregation.COUNT:
        return len(pairs)
    if not pairs:
        return None
    if aggregation is Aggregation.SUM:
        numbers = []
        for hit, value in pairs:
            numbers.append(to_decimal(value))
            if numbers[-1] is None:
                raise _not_aggregable(table, hit, value, "a number")
        return to_python(decimal_or_none(sum, numbers, Decimal(0)))
    best_hit, best = pairs[0]
    for hit, value in pairs[1:]:
        better = feel_compare("<" if aggregation is Aggregation.MIN else ">", value, best)
        if better is None:
            wanted = f"comparable values ({best_hit.rule.label} gives {to_python(best)!r})"
            raise _not_aggregable(table, hit, value, wanted)
        if better:
            best_hit, best = hit, value
    return to_python(best)


def _not_aggregable(table: DecisionTable, hit: Hit, value: Any, wanted: str) -> DmnEvaluationError:
    return DmnEvaluationError(
        f"decision '{table.decision_name or table.decision_id}': COLLECT {table.aggregation.value} needs "
        f"{wanted}, but {hit.rule.label} gives {to_python(value)!r}",
        decision_id=table.decision_id, rule_id=hit.rule.id, row=hit.rule.row_number,
    )


def nest(pairs) -> dict[str, Any]:
    """``[("a.b", 1), ("a.c", 2), ("d", 3)]`` -> ``{"a": {"b": 1, "c": 2}, "d": 3}``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        *parents, last = key.split(".")
        target = out
        for part in parents:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[last] = value
    return out
