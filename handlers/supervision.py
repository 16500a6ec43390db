"""Dynamic supervision (动态监管): the baseline a check compares with, the record of a check, the
officer's decision.

* ``supervision/baseline`` — the facts at the last check (the application's verification for the
  first one), which members the 户籍 source knew then, and the months of rent in arrears.
* ``supervision/record`` — the facts, the utilities reading and the warnings of this check, each
  warning with the rule that fired and its evidence in Chinese.
* ``supervision/decide`` — the officer's decision (dismiss with a reason, rectify, exit).

The rules themselves are policy data (``processes/supervision_risk.dmn``); nothing here decides.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.engine.operators import OperatorError, operator
from app.models import Application, HumanTask, Lease, VerificationResult
from app.supervision.models import SupervisionCheck
from handlers.household_facts import derive_facts
from handlers.records import dry_run, now, transaction

DECISIONS = ("dismiss", "rectify", "exit")


class BaselineParams(Schema):
    """Parameters of ``supervision/baseline``."""

    lease_no = fields.String(required=True)
    check_id = fields.Integer(load_default=None, allow_none=True)


class RecordParams(Schema):
    """Parameters of ``supervision/record``."""

    lease_no = fields.String(required=True)
    check_id = fields.Integer(load_default=None, allow_none=True)
    facts = fields.Dict(required=True)
    usage = fields.Dict(load_default=dict)
    warnings = fields.List(fields.Dict(), load_default=list,
                           metadata={"description": "[{rule, level, ground, reason, evidence}]"})


class DecideParams(Schema):
    """Parameters of ``supervision/decide``."""

    check_id = fields.Integer(load_default=None, allow_none=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    reason = fields.String(load_default="")
    officer = fields.String(load_default="")
    rectify_items = fields.String(load_default="")
    rectify_deadline = fields.String(load_default="", metadata={"description": "ISO time the rectification is due"})


def arrears_months(lease_id: int) -> int:
    """Months of rent in arrears from the rent ledger (``app.ledger``; 0 for a lease without bills)."""
    from app.db import db
    from app.ledger.bills import arrears

    with db.session() as session:
        return int(arrears(session, lease_id).months)


def _empty_baseline() -> dict:
    return {"previous": derive_facts({"members": []}, {}) | {"local_hukou": False}, "hukou_found": [],
            "arrears_months": 0, "first_check": True}


@operator("supervision/baseline", params=BaselineParams)
def baseline(params: dict, ctx) -> dict:
    """The facts this check compares with, and the arrears read from the ledger."""
    if dry_run(ctx):
        return _empty_baseline()
    from app.db import db

    with db.session() as session:
        lease = session.scalar(select(Lease).where(Lease.lease_no == params["lease_no"]))
        if lease is None:
            raise OperatorError("LeaseNotFound", f"no lease {params['lease_no']!r}", retryable=False)
        last = session.scalar(select(SupervisionCheck).where(
            SupervisionCheck.lease_id == lease.id, SupervisionCheck.status != "checking",
            SupervisionCheck.id != (params["check_id"] or 0)).order_by(SupervisionCheck.id.desc()).limit(1))
        case = session.get(Application, lease.application_id)
        lease_id = lease.id
        rows = list(session.scalars(select(VerificationResult).where(VerificationResult.application_id == case.id)))
        household = {"type": case.household_type, "members": [
            {"id_number": m.id_number, "name": m.name, "relation": m.relation,
             "monthly_income": m.declared_monthly_income} for m in case.members]}
    if last is not None and last.facts:
        previous, hukou_found = last.facts, list(last.facts.get("hukou_found") or [])
    else:
        table: dict[str, dict[str, Any]] = {}
        for row in rows:
            table.setdefault(row.id_number, {})[row.source] = {"found": row.found, "facts": row.facts or {}}
        previous = derive_facts(household, table)
        hukou_found = [n for n, cells in table.items() if (cells.get("hukou") or {}).get("found")]
    return {"previous": previous, "hukou_found": hukou_found, "arrears_months": arrears_months(lease_id),
            "first_check": last is None}


@operator("supervision/record", params=RecordParams)
def record(params: dict, ctx) -> dict:
    """Store what this check found; its status is ``warned`` when any rule fired, else ``clear``."""
    status = "warned" if params["warnings"] else "clear"
    result = {"lease_no": params["lease_no"], "status": status, "warning_count": len(params["warnings"])}
    with transaction(ctx) as session:
        if session is None:
            return result
        row = _check(session, params["check_id"], ctx)
        if row is None:
            lease = session.scalar(select(Lease).where(Lease.lease_no == params["lease_no"]))
            if lease is None:
                raise OperatorError("LeaseNotFound", f"no lease {params['lease_no']!r}", retryable=False)
            case = session.get(Application, lease.application_id)
            row = SupervisionCheck(lease_id=lease.id, lease_no=lease.lease_no, district=case.district,
                                   period=now().date().isoformat(), instance_id=ctx.instance_id, started_at=now())
            session.add(row)
        row.facts, row.usage, row.warnings = params["facts"], params["usage"], params["warnings"]
        row.notice = row.notice or {}
        row.status, row.checked_at = status, now()
        session.flush()
        result["check_id"] = row.id
    return result


def _check(session, check_id: int | None, ctx) -> SupervisionCheck | None:
    if check_id:
        return session.get(SupervisionCheck, check_id, with_for_update=True)
    return session.scalar(select(SupervisionCheck).where(SupervisionCheck.instance_id == ctx.instance_id))


@operator("supervision/decide", params=DecideParams)
def decide(params: dict, ctx) -> dict:
    """Record the officer's decision on the warnings of a check."""
    status = {"dismiss": "dismissed", "rectify": "rectifying", "exit": "exit"}[params["decision"]]
    with transaction(ctx) as session:
        if session is not None:
            row = _check(session, params["check_id"], ctx)
            if row is None:
                raise OperatorError("CheckNotFound", "no supervision check for this instance", retryable=False)
            officer = params["officer"] or session.scalar(
                select(HumanTask.completed_by).where(HumanTask.instance_id == ctx.instance_id,
                                                     HumanTask.status == "completed")
                .order_by(HumanTask.completed_at.desc()).limit(1))
            row.status, row.decision, row.decision_reason = status, params["decision"], params["reason"]
            row.decided_by, row.decided_at = officer or None, now()
            if params["decision"] == "rectify":
                row.notice = {"items": params["rectify_items"], "deadline": params["rectify_deadline"][:10]}
    return {"decision": params["decision"], "status": status}
