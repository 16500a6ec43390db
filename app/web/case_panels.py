"""The case-specific panels of the task page.

A task whose business key is an application number shows the application as
``app.services.case_service`` tells it (docs/case-data.md): applicant and household, the
verification findings per member × source, the suggested opinion; every task shows what the
decision tables decided and, on a step several people sign (a countersign), the signatures the
others gave. A task of any other process shows its (masked) process data instead.
"""

from __future__ import annotations

import re

from app.auth.identity import Identity
from app.privacy import mask_id_number
from app.services import case_file_service, forms
from app.services.errors import NotFound
from app.web.case_data import words
from app.web.labels import LABELS

VERDICTS = {code: zh for code, (zh, _en) in LABELS["verdict"].items()}
#: decision outputs whose values are codes, by the kind of code (app.web.labels)
OUTPUT_KINDS = {"rule_id": "rule", "risk_rule": "rule", "rule_verdict": "verdict", "rule_code": "reason",
                "risk_level": "reason", "risk_ground": "reason", "priority_group": "reason", "exit_code": "reason",
                "department_group": "group"}
_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
DEPARTMENTS = {"minzheng": "民政", "zhujian": "住建", "renshe": "人社"}


def panels_for(identity: Identity, case) -> dict:
    """Panel data for the task page (empty panels are not shown)."""
    out: dict = {"raw": {}, "application": None, "verification": None, "decisions": [], "signatures": [],
                 "eligibility": None}
    if not identity.is_staff:
        return out
    out["decisions"] = [decision_view(d) for d in case_file_service.decision_verdicts(case.instance["id"])]
    out["signatures"] = _signatures(case)
    eligibility = case.data.get("eligibility")
    out["eligibility"] = eligibility if isinstance(eligibility, dict) and eligibility.get("rules") else None
    application = _application(identity, case)
    if application is None:
        out["raw"] = case.data
        return out
    out["application"] = application
    out["verification"] = _verification(identity, case)
    return out


def _signatures(case) -> list[dict]:
    """The countersign so far: the case's ``countersign_signatures`` by department, or else
    every completion of this same step (a multi-instance step several people sign)."""
    signed = case.data.get("countersign_signatures")
    if isinstance(signed, dict) and signed:
        return [{"actor": DEPARTMENTS.get(dept, dept), "at": None,
                 "decision": _decision_words(case, (v or {}).get("decision")),
                 "opinion": (v or {}).get("opinion")} for dept, v in signed.items()]
    return [h for h in case.history if h["action"] == "task.completed" and h["bpmn_id"] == case.task["bpmn_id"]]


def _decision_words(case, value):
    """A countersign decision as the step's form names it (``approve`` → 同意)."""
    props = (case.form or {}).get("properties") or {}
    signature = (props.get("signature") or {}).get("properties") or {}
    choices = dict(forms.choices_of(props.get("decision") or signature.get("decision") or {}))
    return choices.get(value, value)


def _application(identity: Identity, case) -> dict | None:
    from app.services import case_service

    if not case.task.get("business_key"):
        return None
    try:
        return case_service.get_case(identity, case.task["business_key"], full_ids=case.full_ids)
    except NotFound:
        return None


def _verification(identity: Identity, case) -> dict:
    """Rows per source, one cell per member in household order, matched by masked ID number."""
    from app.services import case_service

    table = case_service.verification_table(identity, case.task["business_key"], full_ids=case.full_ids)
    members = table["members"]
    rows = []
    for source in table["sources"]:
        by_member = {mask_id_number(k): v for k, v in source["cells"].items()}
        cells = [by_member.get(mask_id_number(m["id_number"])) for m in members]
        rows.append({"source": source["source"], "name": source["source_name"], "cells": cells})
    return {"members": members, "rows": rows, "counts": table.get("counts", {})}


def suggested_values(case, panels: dict) -> dict:
    """Initial form values: fields the case data already holds, and the suggested opinion.

    The decision and any earlier reviewer's opinion are never carried over. A diagram may offer
    starting values in the variable ``form_prefill`` (``{field: value}``): the members of a manual
    check's rows, say, where the field itself is a multi-instance output that must not exist yet.
    """
    props = (case.form or {}).get("properties") or {}
    values = {k: v for k, v in case.data.items() if k in props and k not in ("decision", "opinion")}
    prefill = case.data.get("form_prefill")
    if isinstance(prefill, dict):
        values.update({k: v for k, v in prefill.items() if k in props and k not in values})
    suggestion = case.data.get("suggestion") if isinstance(case.data.get("suggestion"), dict) else {}
    suggested = (panels.get("application") or {}).get("suggested_opinion") or suggestion.get("text")
    if suggested and "opinion" in props:
        values["opinion"] = suggested
    return values


def decision_view(decision: dict) -> dict:
    """What a decision table decided, in words: its name, a table of its results (one row per
    matched rule when it collects), and the facts it read, each under its column's label."""
    outputs = decision.get("outputs") or {}
    labels = decision.get("columns") or {}
    keys = [k for k in outputs if not isinstance(outputs[k], dict)]
    lists = [k for k in keys if isinstance(outputs[k], list)]
    if lists:
        count = max(len(outputs[k]) for k in lists)
        rows = [[words(_at(outputs[k], i), OUTPUT_KINDS.get(k)) for k in keys] for i in range(count)]
    else:
        rows = [[words(outputs[k], OUTPUT_KINDS.get(k)) for k in keys]] if keys else []
    facts = []
    for expression, label in (decision.get("inputs") or {}).items():
        if _PATH.match(expression):
            found, value = _lookup(decision.get("facts") or {}, expression)
            if found and not isinstance(value, (dict, list)):
                facts.append((label, words(value)))
    return {**decision, "columns": [labels.get(k, k) for k in keys], "rows": rows, "facts_read": facts}


def _at(values, i: int):
    if isinstance(values, list):
        return values[i] if i < len(values) else None
    return values


def _lookup(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value
