"""Reads DMN XML (1.1 to 1.5 namespaces) into the model of :mod:`.model`.

Every ``decision`` holding a ``decisionTable`` becomes a :class:`~.model.Decision`; several per
file are fine. Nothing is raised for bad input: each fault becomes a :class:`~.errors.Problem`
and parsing goes on where it sensibly can, so one upload reports all its faults at once. The
expression language in force is resolved here, nearest first: cell, table, file.
"""

from __future__ import annotations

from lxml import etree

from .errors import WARNING, Problem
from .model import Aggregation, Decision, DecisionTable, Entry, HitPolicy, Input, Output, Rule

#: DMN model namespaces and their versions.
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
_EXPRESSION_KINDS = ("literalExpression", "context", "invocation", "relation", "list",
                     "functionDefinition", "conditional", "filter", "for", "every", "some")


def read_dmn(xml: bytes | str, filename: str) -> tuple[list[Decision], list[Problem]]:
    """The decisions with a decision table in ``xml``, and the problems found reading it."""
    reader = _Reader(filename)
    decisions = reader.read(xml)
    return decisions, reader.problems


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self.ns = ""

    def problem(self, element_id: str | None, message: str, element=None, severity: str = "error") -> None:
        line = element.sourceline if element is not None else None
        self.problems.append(Problem(self.filename, element_id, message, severity, line))

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def text_of(self, element) -> str | None:
        """The ``<text>`` child's content (``None`` when there is none)."""
        if element is None:
            return None
        text = element.find(self.q("text"))
        return text.text if text is not None else None

    def read(self, xml: bytes | str) -> list[Decision]:
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as err:
            self.problems.append(Problem(self.filename, None, f"not well-formed XML: {err.msg}",
                                         line=err.lineno))
            return []
        qname = etree.QName(root)
        if qname.localname != "definitions" or qname.namespace not in DMN_NAMESPACES:
            self.problem(root.get("id"), f"not a DMN file: the root element is {qname.text!r}, expected "
                         "'definitions' in a DMN 1.1-1.5 namespace", root)
            return []
        self.ns = qname.namespace
        file_language = root.get("expressionLanguage")
        decisions: dict[str, Decision] = {}
        for element in root.iterchildren(self.q("decision")):
            decision = self.decision(element, file_language, qname.namespace)
            if decision is None:
                continue
            if decision.id in decisions:
                self.problem(decision.id, f"two decisions have the id {decision.id!r}", element)
                continue
            decisions[decision.id] = decision
        if not decisions and not any(p.severity == "error" for p in self.problems):
            self.problem(root.get("id"), "the file has no decision with a decision table", root)
        return list(decisions.values())

    def decision(self, element, file_language: str | None, namespace: str) -> Decision | None:
        decision_id = element.get("id")
        name = element.get("name") or decision_id or ""
        if not decision_id:
            self.problem(None, f"decision {name!r} has no id", element)
            return None
        table_element = element.find(self.q("decisionTable"))
        if table_element is None:
            kinds = [tag for tag in _EXPRESSION_KINDS if element.find(self.q(tag)) is not None]
            if kinds:
                self.problem(decision_id, f"decision '{name}' is a {kinds[0]}, not a decision table; "
                             "it cannot be evaluated", element, WARNING)
            return None
        table = self.table(table_element, decision_id, name, file_language)
        return Decision(decision_id, name, table, self.filename, namespace)

    def table(self, element, decision_id: str, name: str, file_language: str | None) -> DecisionTable:
        table = DecisionTable(
            id=element.get("id") or f"{decision_id}_table",
            expression_language=element.get("expressionLanguage") or file_language,
            decision_id=decision_id,
            decision_name=name,
        )
        where = f"decision '{name}'"
        raw_policy = (element.get("hitPolicy") or "UNIQUE").strip().upper().replace("_", " ")
        try:
            table.hit_policy = HitPolicy(raw_policy)
        except ValueError:
            self.problem(table.id, f"{where}: unknown hit policy {element.get('hitPolicy')!r}", element)
        raw_aggregation = element.get("aggregation")
        if raw_aggregation:
            try:
                table.aggregation = Aggregation(raw_aggregation.strip().upper())
            except ValueError:
                self.problem(table.id, f"{where}: unknown aggregation {raw_aggregation!r}", element)
            if table.hit_policy is not HitPolicy.COLLECT:
                self.problem(table.id, f"{where}: an aggregation needs the COLLECT hit policy", element)
        for position, child in enumerate(element.iterchildren(self.q("input")), 1):
            table.inputs.append(self.input(child, table, position))
        for position, child in enumerate(element.iterchildren(self.q("output")), 1):
            table.outputs.append(self.output(child, table, position))
        if not table.outputs:
            self.problem(table.id, f"{where}: the decision table has no output column", element)
        for row, child in enumerate(element.iterchildren(self.q("rule")), 1):
            table.rules.append(self.rule(child, table, row, where))
        return table

    def input(self, element, table: DecisionTable, position: int) -> Input:
        expression = element.find(self.q("inputExpression"))
        values = element.find(self.q("inputValues"))
        return Input(
            id=element.get("id") or f"{table.id}_input{position}",
            label=element.get("label") or "",
            expression=self.text_of(expression),
            type_ref=expression.get("typeRef") if expression is not None else None,
            input_values=self.text_of(values),
            expression_language=(expression.get("expressionLanguage") if expression is not None else None)
            or table.expression_language,
            expression_id=expression.get("id") if expression is not None else None,
        )

    def output(self, element, table: DecisionTable, position: int) -> Output:
        return Output(
            id=element.get("id") or f"{table.id}_output{position}",
            name=element.get("name") or "",
            label=element.get("label") or "",
            type_ref=element.get("typeRef"),
            output_values=self.text_of(element.find(self.q("outputValues"))),
        )

    def rule(self, element, table: DecisionTable, row: int, where: str) -> Rule:
        rule = Rule(id=element.get("id") or f"{table.id}_rule{row}", row_number=row)
        notes = [element.findtext(self.q("description")) or ""]
        notes += [self.text_of(a) or "" for a in element.iterchildren(self.q("annotationEntry"))]
        rule.description = "; ".join(note.strip() for note in notes if note and note.strip())
        for kind, entries, columns in (("inputEntry", rule.input_entries, table.inputs),
                                       ("outputEntry", rule.output_entries, table.outputs)):
            for position, child in enumerate(element.iterchildren(self.q(kind)), 1):
                entries.append(Entry(
                    id=child.get("id") or f"{rule.id}_{kind}{position}",
                    text=self.text_of(child),
                    description=(child.findtext(self.q("description")) or "").strip(),
                    expression_language=child.get("expressionLanguage") or table.expression_language,
                ))
            if len(entries) != len(columns):
                self.problem(rule.id, f"{where}, rule {rule.row_number} ({rule.id}): {len(entries)} "
                             f"{kind} cells for {len(columns)} columns", element)
        return rule
