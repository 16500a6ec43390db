"""Errors and validation problems of the DMN engine.

Bad input from policy staff (a malformed file, a typo in a cell) is reported as a list of
:class:`Problem` by :func:`~app.engine.dmn.validate_dmn`, or raised as one
:class:`DmnValidationError` carrying that list by :func:`~app.engine.dmn.parse_decisions`.
Failures while evaluating a table are :class:`DmnEvaluationError` naming the rule (row and id)
and the cell that failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a DMN file, for the deploy API to report.

    ``element_id`` is the id of the most specific element at fault (a cell, a rule, an input,
    a decision) or ``None`` for file-level faults; ``severity`` is ``"error"`` (the file cannot
    be deployed) or ``"warning"`` (it can, but probably does not do what was meant).
    """

    file: str
    element_id: str | None
    message: str
    severity: str = ERROR
    line: int | None = None

    def as_dict(self) -> dict:
        """The problem as a JSON-ready dict (``file``, ``element_id``, ``message``, ...)."""
        return asdict(self)


def quote(text: str, limit: int = 80) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters, for messages about cells."""
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


class DmnError(Exception):
    """Base class of every error raised by the DMN engine."""


class FeelError(DmnError):
    """A FEEL expression or unary test could not be compiled or evaluated."""


class FeelSyntaxError(FeelError):
    """The text is not FEEL the engine understands; ``position`` is the 0-based offset."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        where = f" at column {position + 1}" if position is not None else ""
        super().__init__(f"{message}{where} in {quote(text)}" if text else message + where)
        self.reason = message
        self.text = text
        self.position = position


class FeelEvaluationError(FeelError):
    """A FEEL construct was understood but cannot be evaluated (for example a
    years-and-months duration, which this engine does not implement)."""


class DmnValidationError(DmnError):
    """A DMN file has errors; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "; ".join(p.message for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"invalid DMN: {lines}{more}")


class DmnEvaluationError(DmnError):
    """Evaluating a decision table failed.

    ``rule_id``/``row`` name the rule being evaluated (``None`` when the failure was not in a
    rule, e.g. in an input expression), ``element_id`` the cell or input. ``note`` is a short
    sentence locating the failure, suitable for ``WorkflowTaskException.add_note``.
    """

    def __init__(
        self,
        message: str,
        *,
        decision_id: str | None = None,
        rule_id: str | None = None,
        row: int | None = None,
        element_id: str | None = None,
        cell: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.decision_id = decision_id
        self.rule_id = rule_id
        self.row = row
        self.element_id = element_id
        self.cell = cell

    @property
    def note(self) -> str:
        """Where it failed, e.g. ``Rule failed on row 3 (DecisionRule_1) of decision 'x',
        input 'Income' cell '< 5'``."""
        decision = f" of decision '{self.decision_id}'" if self.decision_id else ""
        if self.row is not None:
            rule = f" ({self.rule_id})" if self.rule_id else ""
            note = f"Rule failed on row {self.row}{rule}{decision}"
        else:
            note = f"Evaluation failed{decision}"
        return f"{note}, {self.cell}" if self.cell else note


class HitPolicyViolation(DmnEvaluationError):
    """The matching rules break the table's hit policy (two UNIQUE rules matched, or ANY
    rules disagree); ``rules`` lists ``(row, rule_id)`` of the rules involved."""

    def __init__(self, message: str, *, decision_id: str | None, rules: list[tuple[int, str]]):
        super().__init__(message, decision_id=decision_id)
        self.rules = rules

    @property
    def note(self) -> str:
        """E.g. ``Hit policy violated by rows 1 (r1), 2 (r2) of decision 'x'``."""
        rows = ", ".join(f"{row} ({rule_id})" for row, rule_id in self.rules)
        return f"Hit policy violated by rows {rows} of decision '{self.decision_id}'"
