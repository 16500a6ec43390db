"""Operators that keep the ``application`` row in step with the diagram.

* ``case/register`` — the first service task of an application: the case, its household.
* ``case/update`` — a milestone: status, step label, eligibility, priority, suggested opinion.
* ``case/close`` — the outcome (approved onto the waiting list, rejected, withdrawn) with its
  reason code and text.

All are idempotent upserts keyed by the application number.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import claims
from app.engine.operators import operator
from app.models import Application, HouseholdMember
from app.models.case import CASE_STATUSES, CLOSED_STATUSES
from app.privacy import mask_name
from handlers.records import find_case, now, transaction

HOUSING_TYPES = ("gongzufang", "baozufang")
OUTCOMES = ("approved", "rejected", "withdrawn")


class RegisterParams(Schema):
    """Parameters of ``case/register``."""

    application_no = fields.String(required=True)
    housing_type = fields.String(required=True, validate=validate.OneOf(HOUSING_TYPES))
    district = fields.String(required=True)
    applicant = fields.Dict(required=True, metadata={"description": "{name, id_number, phone, username}"})
    household = fields.Dict(required=True, metadata={"description": "{type, members: [...]}"})
    declared = fields.Dict(load_default=dict, metadata={"description": "declared income, assets, housing"})
    documents = fields.List(fields.Dict(), load_default=list)


class UpdateParams(Schema):
    """Parameters of ``case/update`` (every one but the number is optional)."""

    application_no = fields.String(required=True)
    status = fields.String(load_default=None, validate=validate.OneOf(CASE_STATUSES))
    step = fields.String(load_default=None, metadata={"description": "the step label shown to people"})
    eligibility = fields.Dict(load_default=None, metadata={"description": "{eligible, priority_score …}"})
    suggested_opinion = fields.String(load_default=None)
    supplement = fields.Dict(load_default=None, metadata={"description": "the 补正 request: {count, items, deadline}"})


class CloseParams(Schema):
    """Parameters of ``case/close``."""

    application_no = fields.String(required=True)
    outcome = fields.Dict(required=True, metadata={"description": "{status, reason_code, reason_text, step}"})


def register_case(session: Session, data: dict[str, Any], instance_id: str | None, *, new: bool = False) -> Application:
    """Insert or refresh the case and its members from process data (no commit).

    A (re)submission: the status goes back to ``submitted`` and an open 补正 request is cleared.
    ``new``: the caller has just found no case with this number in this transaction (a start),
    so none is looked for; what it wrote is remembered for the transaction
    (:func:`registered_already`).
    """
    case = _register(session, data, instance_id, new)
    if new:
        session.info[_REGISTERED] = (session.get_transaction(), data["application_no"], instance_id,
                                     _registration(data))
    return case


def registered_already(session: Session, data: dict[str, Any], instance_id: str | None) -> bool:
    """Whether this transaction's start registered this case of this instance from the same
    household, applicant and declarations: then the diagram's ``case/register`` that follows
    has nothing to write (an unattended start runs it in the same transaction)."""
    done = session.info.get(_REGISTERED)
    return (done is not None and done[0] is session.get_transaction() and done[1] == data["application_no"]
            and done[2] == instance_id and done[3] == _registration(data))


#: session.info key: (transaction, application number, instance id, what was written) of a start
_REGISTERED = "case_records.registered"


def _registration(data: dict[str, Any]) -> str:
    """What :func:`register_case` writes of ``data``, as comparable text."""
    applicant, household = data["applicant"], data["household"]
    members = [[m["id_number"], m["name"], m.get("relation") or "other", float(m.get("monthly_income") or 0),
                m.get("employer") or ""] for m in household.get("members") or []]
    return json.dumps([data["housing_type"], data["district"], applicant.get("username") or "", applicant["name"],
                       applicant["id_number"], applicant.get("phone") or "", household.get("type") or "single",
                       members, data.get("declared") or {}, data.get("documents") or []],
                      sort_keys=True, ensure_ascii=False, default=str)


def _register(session: Session, data: dict[str, Any], instance_id: str | None, new: bool) -> Application:
    applicant = data["applicant"]
    household = data["household"]
    members = household.get("members") or []
    case = None if new else session.scalar(
        select(Application).where(Application.application_no == data["application_no"]))
    if case is None:
        case = Application(application_no=data["application_no"], suggested_opinion="", outcome={},
                           submitted_at=now())
        session.add(case)
    case.status, case.current_step, case.supplement = "submitted", "受理", {}
    case.housing_type = data["housing_type"]
    case.district = data["district"]
    case.instance_id = instance_id or case.instance_id
    case.applicant_username = applicant.get("username") or ""
    case.applicant_name = applicant["name"]
    case.applicant_name_masked = mask_name(applicant["name"]) or ""
    case.applicant_id_number = applicant["id_number"]
    case.applicant_phone = applicant.get("phone") or ""
    case.household_type = household.get("type") or "single"
    case.household_size = max(1, len(members))
    case.declared = {**(data.get("declared") or {}), "documents": data.get("documents") or []}
    case.updated_at = now()
    _sync_members(case, members)
    claims.claim(session, case)  # one open application per ID number and housing type
    return case


def _sync_members(case: Application, members: list[dict[str, Any]]) -> None:
    existing = {m.id_number: m for m in case.members}
    keep = []
    for position, member in enumerate(members):
        row = existing.get(member["id_number"]) or HouseholdMember(id_number=member["id_number"])
        row.position = position
        row.name = member["name"]
        row.relation = member.get("relation") or "other"
        row.declared_monthly_income = float(member.get("monthly_income") or 0)
        row.employer = member.get("employer") or ""
        keep.append(row)
    case.members[:] = keep


@operator("case/register", params=RegisterParams, inline=True)
def register(params: dict, ctx) -> dict:
    """Record the submitted case and its household (idempotent)."""
    with transaction(ctx) as session:
        if session is not None and not registered_already(session, params, ctx.instance_id):
            register_case(session, params, ctx.instance_id)
    return {"application_no": params["application_no"], "status": "submitted",
            "household_size": max(1, len(params["household"].get("members") or []))}


@operator("case/update", params=UpdateParams, inline=True)
def update(params: dict, ctx) -> dict:
    """Record a milestone of the case: status, step, eligibility, suggested opinion."""
    with transaction(ctx) as session:
        if session is not None:
            case = find_case(session, params["application_no"], lock=True)
            if params["status"]:
                case.status = params["status"]
                if case.status in CLOSED_STATUSES:
                    claims.release(session, case.id)
            if params["step"]:
                case.current_step = params["step"]
            eligibility = params["eligibility"]
            if eligibility is not None:
                case.eligible = eligibility.get("eligible")
                if eligibility.get("priority_score") is not None:
                    case.priority_score = float(eligibility["priority_score"])
            if params["suggested_opinion"] is not None:
                case.suggested_opinion = params["suggested_opinion"]
            if params["supplement"] is not None:
                case.supplement = params["supplement"]
            case.updated_at = now()
    return {"application_no": params["application_no"], "status": params["status"], "step": params["step"]}


@operator("case/close", params=CloseParams, inline=True)
def close(params: dict, ctx) -> dict:
    """Record the outcome: ``approved`` (on the waiting list), ``rejected`` or ``withdrawn``."""
    outcome = dict(params["outcome"])
    status = outcome.get("status")
    if status not in OUTCOMES:
        outcome["status"] = status = "rejected"
    at = now()
    outcome.setdefault("decided_at", at.isoformat())
    with transaction(ctx) as session:
        if session is not None:
            case = find_case(session, params["application_no"], lock=True)
            case.outcome = outcome
            case.status = {"approved": "waiting", "rejected": "rejected", "withdrawn": "withdrawn"}[status]
            case.current_step = outcome.get("step") or case.current_step
            if status != "approved":
                case.closed_at = at
                claims.release(session, case.id)  # the household may apply again
            case.updated_at = at
    return {"application_no": params["application_no"], **outcome}
