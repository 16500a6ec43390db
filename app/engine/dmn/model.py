"""The in-memory model of a DMN file: decisions, their decision table, inputs, outputs, rules.

The XML parser fills in the raw texts; :mod:`.compiler` then attaches a compiled form to every
expression and cell (``compiled`` attributes), so evaluation never re-parses text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class HitPolicy(StrEnum):
    """The DMN hit policies (the ``hitPolicy`` attribute of ``decisionTable``)."""

    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"

    @property
    def is_multi_hit(self) -> bool:
        """True when the result lists the outputs of several rules."""
        return self in (HitPolicy.COLLECT, HitPolicy.RULE_ORDER, HitPolicy.OUTPUT_ORDER)


class Aggregation(StrEnum):
    """The ``aggregation`` of a COLLECT table."""

    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


class Language(StrEnum):
    """How a cell's text is read."""

    FEEL = "feel"
    PYTHON = "python"


@dataclass
class Input:
    """An input column: ``expression`` is the ``inputExpression`` text (``None`` if empty)."""

    id: str
    label: str = ""
    expression: str | None = None
    type_ref: str | None = None
    input_values: str | None = None
    expression_language: str | None = None
    expression_id: str | None = None
    compiled: Any = None

    @property
    def title(self) -> str:
        """What to call the column in a message."""
        return self.label or self.expression or self.id


@dataclass
class Output:
    """An output column. Its result key is ``name``, else ``label``, else ``id``; a key with
    dots (``household.level``) builds nested dicts."""

    id: str
    name: str = ""
    label: str = ""
    type_ref: str | None = None
    output_values: str | None = None
    #: The values of ``outputValues`` in order, highest priority first (PRIORITY, OUTPUT ORDER).
    priority_values: list[Any] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The key this output gets in a result dict."""
        return self.name or self.label or self.id


@dataclass
class Entry:
    """One cell of a rule: an ``inputEntry`` (unary tests) or ``outputEntry`` (expression).

    ``expression_language`` is the language in force for the cell (its own attribute, else the
    table's, else the file's); ``language`` is how it was actually compiled.
    """

    id: str
    text: str | None = None
    description: str = ""
    expression_language: str | None = None
    language: Language | None = None
    compiled: Any = None


@dataclass
class Rule:
    """A row of the table; ``row_number`` is 1-based, ``description`` the annotation column."""

    id: str
    row_number: int
    description: str = ""
    input_entries: list[Entry] = field(default_factory=list)
    output_entries: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``row 3 (DecisionRule_1)`` for messages."""
        return f"row {self.row_number} ({self.id})"


@dataclass
class DecisionTable:
    """A ``decisionTable``. ``expression_language`` is the one in force for the table."""

    id: str
    hit_policy: HitPolicy = HitPolicy.UNIQUE
    aggregation: Aggregation | None = None
    inputs: list[Input] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    expression_language: str | None = None
    decision_id: str = ""
    decision_name: str = ""


@dataclass
class Boxed:
    """A boxed expression (DMN 1.3 chapter 7) other than a decision table, or a decision table
    (``kind == "table"``) used as one.

    ``kind`` is ``literal`` (``text``), ``context`` (``entries``: name, or ``None`` for the
    final result entry, and expression), ``list`` (``entries`` with ``None`` names),
    ``relation`` (``columns`` and ``rows``), ``invocation`` (``text`` names the function,
    ``entries`` bind parameters), ``function`` (``params`` and ``body``) or ``table``.
    """

    kind: str
    id: str
    text: str | None = None
    entries: list[tuple[str | None, Boxed]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Boxed]] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    body: Boxed | None = None
    table: DecisionTable | None = None
    expression_language: str | None = None
    compiled: Any = None


@dataclass
class Knowledge:
    """A ``businessKnowledgeModel``: a function (``logic`` is its ``encapsulatedLogic``)
    callable by name from FEEL, or through a boxed invocation."""

    id: str
    name: str
    logic: Boxed | None = None
    required_knowledge: list[str] = field(default_factory=list)


@dataclass
class Graph:
    """A file's decision requirements graph: decisions, knowledge models and input data (by
    id; input data maps to its variable name)."""

    decisions: dict[str, Decision] = field(default_factory=dict)
    knowledge: dict[str, Knowledge] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)

    def names(self) -> set[str]:
        """Every name FEEL in the file may use: input data, decisions, knowledge models."""
        return ({d.variable for d in self.decisions.values()} | {k.name for k in self.knowledge.values()}
                | set(self.inputs.values()))


@dataclass
class Decision:
    """A ``decision`` element: a decision table (``table``) or another boxed expression
    (``logic``), with the decisions, input data and knowledge models it requires (ids).
    ``variable`` is the name its value has for the decisions that require it."""

    id: str
    name: str
    table: DecisionTable | None
    filename: str = ""
    namespace: str = ""
    logic: Boxed | None = None
    variable: str = ""
    required_decisions: list[str] = field(default_factory=list)
    required_inputs: list[str] = field(default_factory=list)
    required_knowledge: list[str] = field(default_factory=list)
    graph: Graph | None = None

    @property
    def is_table_only(self) -> bool:
        """True for a decision table that requires no other decision (evaluated as before)."""
        return self.table is not None and not self.required_decisions and not self.required_knowledge
