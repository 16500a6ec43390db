"""Merging what the 14 data sources said into one table: member × source.

``verification/merge`` takes every source's answer (a ``<source>/check`` result, or the error a
boundary event caught, or nothing) and returns the ``verification`` the diagrams use: the
table, the sources that need a person to check them by hand, counts, the failing findings and
the household facts for the eligibility tables. It also writes one ``verification_result`` row
per member and source, with that member's raw answers (masked) as evidence.

``verification/record_manual`` folds in what reviewers found for the sources that were down.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import bindparam, insert, select

from app.engine.operators import operator
from app.models import VerificationResult
from app.privacy import mask_tree
from connectors.errors import error_name
from handlers.household_facts import derive_facts
from handlers.manual_forms import facts_of_row
from handlers.records import find_case, now, transaction

UNAVAILABLE = "unavailable"
DEFAULT_MANUAL_GROUP = "district_reviewer"


class MergeParams(Schema):
    """Parameters of ``verification/merge``."""

    application_no = fields.String(required=True)
    household = fields.Dict(required=True, metadata={"description": "{type, members, youfu}"})
    results = fields.Dict(required=True, metadata={"description": "source → its check result or caught error"})
    manual_groups = fields.Dict(load_default=dict, metadata={"description": "source → group checking it by hand"})


class ManualParams(Schema):
    """Parameters of ``verification/record_manual``."""

    application_no = fields.String(required=True)
    verification = fields.Dict(required=True, metadata={"description": "what verification/merge returned"})
    findings = fields.Dict(required=True, metadata={"description": "source → {verdict, summary, members: [facts]}"})
    household = fields.Dict(load_default=None,
                            metadata={"description": "{type, members, youfu}: to derive the facts again"})
    results = fields.Dict(load_default=None, metadata={"description": "source → its check result, as given to merge"})


def source_title(source: str) -> str:
    """The Chinese name of a data source (its connector's title)."""
    from connectors.base.registry import CONNECTORS

    cls = CONNECTORS.get(source)
    return cls.title if cls is not None else source


def merge(household: dict, results: dict[str, Any], manual_groups: dict[str, str]) -> dict:
    """The verification view of the answers (pure; see the module doc)."""
    members, table, failed = _collect(household, results, manual_groups)
    return _view(members, table, sorted(results), failed, derive_facts(household, table))


def _collect(household: dict, results: dict[str, Any], manual_groups: dict[str, str]) -> tuple[list, dict, list]:
    """The members, the full member × source table (with facts) and the sources that failed."""
    members = [{"id_number": m["id_number"], "name": m["name"], "relation": m["relation"]}
               for m in household.get("members") or []]
    table: dict[str, dict[str, dict]] = {m["id_number"]: {} for m in members}
    failed = []
    for source, answer in results.items():
        answer = answer or {}
        if "members" in answer:
            for finding in answer["members"]:
                table.setdefault(finding["id_number"], {})[source] = {
                    "verdict": finding["verdict"], "found": finding["found"], "summary": finding["summary"],
                    "facts": finding["facts"], "method": "automatic"}
            continue
        code = answer.get("code") or "NoAnswer"
        failed.append({"source": source, "name": source_title(source), "error_code": code,
                       "error_name": error_name(code),
                       "group": manual_groups.get(source) or DEFAULT_MANUAL_GROUP})
        for member in members:
            table[member["id_number"]][source] = {
                "verdict": UNAVAILABLE, "found": False, "facts": {}, "method": "pending", "error_code": code,
                "summary": f"{source_title(source)}未返回结果（{error_name(code)}），待人工核查。"}
    return members, table, failed


def _view(members: list[dict], table: dict, sources: list[str], failed: list[dict], facts: dict) -> dict:
    """What the diagrams keep: the table without each cell's facts (those are in the database)."""
    cells = [(m, source, table[m["id_number"]].get(source) or {}) for m in members for source in sources]
    counts = {v: sum(1 for _m, _s, c in cells if c.get("verdict") == v) for v in ("pass", "fail", "info", UNAVAILABLE)}
    fails = [{"source": s, "source_name": source_title(s), "name": m["name"], "relation": m["relation"],
              "summary": c["summary"]} for m, s, c in cells if c.get("verdict") == "fail"]
    compact = {number: {source: {k: v for k, v in cell.items() if k != "facts"} for source, cell in row.items()}
               for number, row in table.items()}
    return {"members": members, "sources": sources, "table": compact, "failed_sources": failed, "counts": counts,
            "fail_findings": fails, "complete": not failed, "facts": facts}


def apply_manual(verification: dict, findings: dict[str, dict], household: dict | None = None,
                 results: dict[str, Any] | None = None) -> tuple[dict, dict]:
    """The verification with reviewers' findings for the unavailable sources, and those cells (pure).

    A finding carries, member by member, the facts the source would have answered (its form is
    made from the connector's facts, :mod:`handlers.manual_forms`). With ``household`` and the
    sources' ``results`` the household facts are derived again from the whole table, so the
    eligibility tables read a manual answer exactly as they read the source's own.
    """
    table = {k: dict(v) for k, v in verification["table"].items()}
    manual: dict[str, dict] = {number: {} for number in table}
    still_failed = []
    for failed in verification.get("failed_sources") or []:
        finding = findings.get(failed["source"])
        if not finding:
            still_failed.append(failed)
            continue
        rows = _rows_by_member(verification["members"], finding.get("members") or [])
        for number, cells in table.items():
            row = rows.get(number)
            cells[failed["source"]] = manual[number][failed["source"]] = {
                "verdict": finding.get("verdict") or "info", "found": bool(row.get("found", True)) if row else True,
                "facts": _manual_facts(failed["source"], row) if row is not None else {},
                "summary": finding.get("summary") or "", "method": "manual", "error_code": failed.get("error_code")}
    facts = verification["facts"]
    if household is not None and results is not None:
        _members, full, _failed = _collect(household, results, {})
        for number, cells in manual.items():
            full.setdefault(number, {}).update(cells)
        facts = derive_facts(household, full)
    compact = {number: {s: {k: v for k, v in c.items() if k != "facts"} for s, c in row.items()}
               for number, row in table.items()}
    view = _view(verification["members"], compact, verification["sources"], still_failed, facts)
    return view, manual


def _rows_by_member(members: list[dict], rows: list[dict]) -> dict[str, dict]:
    """The submitted rows by member ID number: by name where it matches, else by position."""
    out, unused = {}, list(rows)
    for member in members:
        row = next((r for r in unused if r.get("name") == member["name"]), None)
        if row is not None:
            unused.remove(row)
            out[member["id_number"]] = row
    for member in members:
        if member["id_number"] not in out and unused:
            out[member["id_number"]] = unused.pop(0)
    return out


def _manual_facts(source: str, row: dict) -> dict:
    from connectors.base.registry import CONNECTORS

    cls = CONNECTORS.get(source)
    facts_cls = getattr(cls, "Facts", None)
    if facts_cls is None:
        return {k: v for k, v in row.items() if k not in ("name", "found")}
    return facts_of_row(source, facts_cls, row)


def _evidence_of(answer: dict, index: int) -> list:
    evidence = answer.get("evidence") or []
    if not isinstance(evidence, list):
        return [mask_tree(evidence)]
    return [mask_tree(e) for e in evidence if not isinstance(e, dict) or e.get("member") in (None, index)]


#: a case's verification rows (every merge reads them: built once)
_RESULTS = select(VerificationResult).where(VerificationResult.application_id == bindparam("application_id"))


def _store(ctx, application_no: str, members: list[dict], table: dict, results: dict[str, Any]) -> None:
    with transaction(ctx) as session:
        if session is None:
            return
        case = find_case(session, application_no, lock=True)
        existing = {(r.source, r.id_number): r for r in session.scalars(_RESULTS, {"application_id": case.id})}
        new_rows = []  # a first merge writes every row: one INSERT, not the ORM's work per object
        for index, member in enumerate(members):
            for source, cell in table.get(member["id_number"], {}).items():
                values = {
                    "source_name": source_title(source), "member_name": member["name"], "relation": member["relation"],
                    "found": bool(cell.get("found")), "verdict": cell["verdict"], "summary": cell["summary"],
                    "facts": cell.get("facts") or {}, "method": cell.get("method") or "automatic",
                    "error_code": cell.get("error_code"), "checked_at": now(),
                }
                answer = results.get(source) or {}
                if "members" in answer:
                    values["evidence"] = _evidence_of(answer, index)
                row = existing.get((source, member["id_number"]))
                if row is None:
                    values.setdefault("evidence", [])
                    new_rows.append({"application_id": case.id, "source": source, "id_number": member["id_number"],
                                     **values})
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
        if new_rows:
            session.execute(insert(VerificationResult), new_rows)
        case.updated_at = now()


@operator("verification/merge", params=MergeParams, inline=True)
def merge_operator(params: dict, ctx) -> dict:
    """Merge every source's answer into the member × source table and record it."""
    members, table, failed = _collect(params["household"], params["results"], params["manual_groups"])
    _store(ctx, params["application_no"], members, table, params["results"])
    return _view(members, table, sorted(params["results"]), failed, derive_facts(params["household"], table))


@operator("verification/record_manual", params=ManualParams, inline=True)
def record_manual_operator(params: dict, ctx) -> dict:
    """Fold reviewers' findings for unavailable sources into the table and record them."""
    verification, manual = apply_manual(params["verification"], params["findings"], params["household"],
                                        params["results"])
    _store(ctx, params["application_no"], verification["members"], manual, {})
    return verification
