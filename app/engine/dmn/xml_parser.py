"""Reads DMN XML (1.1 to 1.5 namespaces) into the model of :mod:`.model`.

Every ``decision`` becomes a :class:`~.model.Decision` (a decision table or a boxed expression:
literal expression, context, list, relation, invocation, function definition), with its
information and knowledge requirements; ``businessKnowledgeModel`` and ``inputData`` elements
make up the rest of the file's :class:`~.model.Graph`. Constructs the engine cannot evaluate
(decision services, imports, DMN 1.4/1.5 boxed conditional/filter/iterators, Java or PMML
functions, requirements on missing or cyclic elements) are errors naming the element.

Nothing is raised for bad input: each fault becomes a :class:`~.errors.Problem`
and parsing goes on where it sensibly can, so one upload reports all its faults at once. The
expression language in force is resolved here, nearest first: cell, table, file.
"""

from __future__ import annotations

from lxml import etree

from .errors import Problem
from .model import (
    Aggregation,
    Boxed,
    Decision,
    DecisionTable,
    Entry,
    Graph,
    HitPolicy,
    Input,
    Knowledge,
    Output,
    Rule,
)

#: DMN model namespaces and their versions.
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
_EXPRESSION_KINDS = ("decisionTable", "literalExpression", "context", "invocation", "relation", "list",
                     "functionDefinition", "conditional", "filter", "for", "every", "some")
#: Boxed expressions of DMN 1.4/1.5 this engine does not evaluate (write them in FEEL instead).
_UNSUPPORTED_KINDS = {"conditional": "a boxed conditional", "filter": "a boxed filter",
                      "for": "a boxed for", "every": "a boxed every", "some": "a boxed some"}
#: Top-level elements this engine refuses, and why.
_UNSUPPORTED_ELEMENTS = {
    "decisionService": "decision services are not supported (call the decision itself)",
    "import": "imported models are not supported (put the decisions in one file)",
}


def _expressions_in(element):
    """The children of ``element`` that are expressions (boxed or decision tables)."""
    return [child for child in element
            if isinstance(child.tag, str) and etree.QName(child).localname in _EXPRESSION_KINDS]


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
        self.file_language = file_language
        graph = Graph()
        for tag, reason in _UNSUPPORTED_ELEMENTS.items():
            for element in root.iterchildren(self.q(tag)):
                self.problem(element.get("id") or element.get("namespace"),
                             f"{tag} {element.get('name') or element.get('id') or ''!r}: {reason}", element)
        for element in root.iterchildren(self.q("inputData")):
            variable = element.find(self.q("variable"))
            name = (variable.get("name") if variable is not None else None) or element.get("name") or ""
            if element.get("id"):
                graph.inputs[element.get("id")] = name.strip()
        for element in root.iterchildren(self.q("businessKnowledgeModel")):
            knowledge = self.knowledge(element)
            if knowledge is not None:
                graph.knowledge[knowledge.id] = knowledge
        decisions = graph.decisions
        for element in root.iterchildren(self.q("decision")):
            decision = self.decision(element, file_language, qname.namespace)
            if decision is None:
                continue
            if decision.id in decisions:
                self.problem(decision.id, f"two decisions have the id {decision.id!r}", element)
                continue
            decision.graph = graph
            decisions[decision.id] = decision
        self.check_requirements(graph)
        if not decisions and not any(p.severity == "error" for p in self.problems):
            self.problem(root.get("id"), "the file has no decision", root)
        return list(decisions.values())

    def href(self, element) -> str:
        return (element.get("href") or "").split("#")[-1]

    def requirements(self, element, decision: Decision | None, knowledge: Knowledge | None) -> None:
        for requirement in element.iterchildren(self.q("informationRequirement")):
            for child in requirement:
                if not isinstance(child.tag, str):
                    continue
                tag = etree.QName(child).localname
                if tag == "requiredDecision" and decision is not None:
                    decision.required_decisions.append(self.href(child))
                elif tag == "requiredInput" and decision is not None:
                    decision.required_inputs.append(self.href(child))
        for requirement in element.iterchildren(self.q("knowledgeRequirement")):
            for child in requirement.iterchildren(self.q("requiredKnowledge")):
                owner = decision if decision is not None else knowledge
                if owner is not None:
                    owner.required_knowledge.append(self.href(child))

    def check_requirements(self, graph: Graph) -> None:
        """Requirements must point at elements of the file, and decisions may not require
        themselves through others (the graph is evaluated in order, once)."""
        for decision in graph.decisions.values():
            for ref, pool, what in ((decision.required_decisions, graph.decisions, "decision"),
                                    (decision.required_inputs, graph.inputs, "input data"),
                                    (decision.required_knowledge, graph.knowledge, "business knowledge model")):
                for target in ref:
                    if target not in pool:
                        self.problem(decision.id, f"decision '{decision.name}' requires {what} {target!r}, "
                                     "which is not in the file", None)
        state: dict[str, str] = {}

        def visit(decision_id: str, path: list[str]) -> None:
            if state.get(decision_id) == "done" or decision_id not in graph.decisions:
                return
            if state.get(decision_id) == "open":
                cycle = " -> ".join([*path[path.index(decision_id):], decision_id])
                self.problem(decision_id, f"decisions require each other in a cycle: {cycle}", None)
                return
            state[decision_id] = "open"
            for required in graph.decisions[decision_id].required_decisions:
                visit(required, [*path, decision_id])
            state[decision_id] = "done"

        for decision_id in graph.decisions:
            visit(decision_id, [])

    def knowledge(self, element) -> Knowledge | None:
        knowledge_id = element.get("id")
        name = (element.get("name") or knowledge_id or "").strip()
        if not knowledge_id:
            self.problem(None, f"business knowledge model {name!r} has no id", element)
            return None
        variable = element.find(self.q("variable"))
        if variable is not None and variable.get("name"):
            name = variable.get("name").strip()
        knowledge = Knowledge(knowledge_id, name)
        self.requirements(element, None, knowledge)
        logic = element.find(self.q("encapsulatedLogic"))
        if logic is None:
            self.problem(knowledge_id, f"business knowledge model '{name}' has no encapsulated logic", element)
            return knowledge
        knowledge.logic = self.function(logic, f"business knowledge model '{name}'")
        return knowledge

    def boxed(self, element, where: str) -> Boxed | None:
        """The boxed expression ``element`` (a child of a decision, entry, binding...)."""
        tag = etree.QName(element).localname
        element_id = element.get("id") or ""
        language = element.get("expressionLanguage") or self.file_language
        if tag in _UNSUPPORTED_KINDS:
            self.problem(element_id or None, f"{where}: {_UNSUPPORTED_KINDS[tag]} ({tag}) is not supported; "
                         "write it as a FEEL literal expression", element)
            return None
        if tag == "literalExpression":
            return Boxed("literal", element_id, text=self.text_of(element), expression_language=language)
        if tag == "decisionTable":
            return Boxed("table", element_id, table=self.table(element, element_id, where, self.file_language))
        if tag == "context":
            boxed = Boxed("context", element_id)
            for entry in element.iterchildren(self.q("contextEntry")):
                variable = entry.find(self.q("variable"))
                name = variable.get("name").strip() if variable is not None and variable.get("name") else None
                inner = self.first_boxed(entry, f"{where}, context entry {name or '(result)'!r}")
                if inner is not None:
                    boxed.entries.append((name, inner))
            return boxed
        if tag == "list":
            boxed = Boxed("list", element_id)
            items = [self.boxed(child, f"{where}, list item") for child in _expressions_in(element)]
            boxed.entries = [(None, item) for item in items if item is not None]
            return boxed
        if tag == "relation":
            boxed = Boxed("relation", element_id)
            boxed.columns = [(c.get("name") or "").strip() for c in element.iterchildren(self.q("column"))]
            for row in element.iterchildren(self.q("row")):
                cells = [self.boxed(c, f"{where}, relation row") for c in _expressions_in(row)]
                if len(cells) != len(boxed.columns):
                    self.problem(row.get("id") or element_id, f"{where}: a relation row has {len(cells)} "
                                 f"cells for {len(boxed.columns)} columns", row)
                    continue
                if all(cell is not None for cell in cells):
                    boxed.rows.append(cells)  # type: ignore[arg-type]
            return boxed
        if tag == "invocation":
            callee = element.find(self.q("literalExpression"))
            boxed = Boxed("invocation", element_id, text=self.text_of(callee))
            if not (boxed.text or "").strip():
                self.problem(element_id or None, f"{where}: the invocation names no function", element)
            for binding in element.iterchildren(self.q("binding")):
                parameter = binding.find(self.q("parameter"))
                name = (parameter.get("name") or "").strip() if parameter is not None else ""
                inner = self.first_boxed(binding, f"{where}, binding {name!r}", required=False)
                boxed.entries.append((name, inner or Boxed("literal", "", text="null")))
            return boxed
        if tag == "functionDefinition":
            return self.function(element, where)
        self.problem(element_id or None, f"{where}: {tag} is not an expression this engine reads", element)
        return None

    def first_boxed(self, parent, where: str, required: bool = True) -> Boxed | None:
        for child in _expressions_in(parent):
            return self.boxed(child, where)
        if required:
            self.problem(parent.get("id") or None, f"{where} has no expression", parent)
        return None

    def function(self, element, where: str) -> Boxed | None:
        kind = (element.get("kind") or "FEEL").strip()
        if kind.upper() != "FEEL":
            self.problem(element.get("id") or None, f"{where}: {kind} functions are not supported "
                         "(only FEEL function definitions)", element)
            return None
        params = [(p.get("name") or "").strip() for p in element.iterchildren(self.q("formalParameter"))]
        body = self.first_boxed(element, f"{where}, function body")
        return Boxed("function", element.get("id") or "", params=params, body=body)

    def decision(self, element, file_language: str | None, namespace: str) -> Decision | None:
        decision_id = element.get("id")
        name = element.get("name") or decision_id or ""
        if not decision_id:
            self.problem(None, f"decision {name!r} has no id", element)
            return None
        variable = element.find(self.q("variable"))
        variable_name = (variable.get("name") if variable is not None else None) or name
        decision = Decision(decision_id, name, None, self.filename, namespace, variable=variable_name.strip())
        self.requirements(element, decision, None)
        table_element = element.find(self.q("decisionTable"))
        if table_element is not None:
            decision.table = self.table(table_element, decision_id, name, file_language)
            decision.logic = Boxed("table", table_element.get("id") or "", table=decision.table)
            return decision
        kinds = [tag for tag in _EXPRESSION_KINDS if element.find(self.q(tag)) is not None]
        if not kinds:
            self.problem(decision_id, f"decision '{name}' has no decision logic (a decision table or a "
                         "boxed expression such as a literal expression)", element)
            return None
        decision.logic = self.boxed(element.find(self.q(kinds[0])), f"decision '{name}'")
        return decision if decision.logic is not None else None

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
