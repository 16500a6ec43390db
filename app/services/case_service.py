"""The business case for applicants and staff: submit, supplement, read a case and its findings.

Pages call these functions; none of them loads a workflow. Staff see cases of their district
(city-level staff every district); applicants only their own; ID numbers are masked unless the
caller's role may see them whole (:func:`app.services.access.redact`). The process-data keys
and tables are described in docs/case-data.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import claims
from app.auth.identity import Identity
from app.db import db
from app.l10n import Message
from app.models import Application, AuditEvent, CaseCounter, ProcessInstance, VerificationResult
from app.services import access, document_service, forms, instance_service, message_service
from app.services.errors import Conflict, Forbidden, MessageNotCorrelated, NotFound, ValidationFailed
from connectors.base.identity import is_valid_id_number

APPLICATION_FORM = "application.schema.json"
SUPPLEMENT_FORM = "supplement.schema.json"
HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保租房"}
PREFIXES = {"gongzufang": "GZF", "baozufang": "BZF"}
#: the process each housing type's applications start
PROCESS_KEYS = {"gongzufang": "gongzufang_application", "baozufang": "baozufang_application"}
SUPPLEMENT_MESSAGE = "supplement_submitted"


class CaseNotFound(NotFound):
    code = "case_not_found"


class CaseAlreadyStarted(Conflict):
    code = "case_already_started"


def build_process_data(form: dict, username: str, application_no: str, submitted_at: datetime) -> dict:
    """The start data of an application process from a validated application form."""
    applicant = {key: form["applicant"].get(key, "") for key in ("name", "id_number", "phone", "address")}
    applicant["username"] = username
    members = [_member(m) for m in form["household"]["members"]]
    mine = [m for m in members if m["id_number"] == applicant["id_number"]]
    if mine and mine[0]["relation"] != "applicant":
        raise ValidationFailed("申请人本人的关系应为“申请人本人”", {"household.members": ["申请人关系错误"]})
    if not mine:
        members.insert(0, {"name": applicant["name"], "id_number": applicant["id_number"], "relation": "applicant",
                           "monthly_income": 0.0, "employer": ""})
    else:
        members.remove(mine[0])
        members.insert(0, mine[0])
    housing_name = HOUSING_NAMES[form["housing_type"]]
    return {
        "application_no": application_no,
        "housing_type": form["housing_type"],
        "housing_type_name": housing_name,
        "district": form["district"],
        "title": f"{housing_name}申请 {application_no}",
        "step": "受理",
        "applicant_name": applicant["name"],
        "applicant_username": username,
        "applicant": applicant,
        "household": {
            "type": form["household"].get("type") or household_type(members),
            "members": members,
            "youfu": bool(form["household"].get("youfu", False)),
            "current_housing_area": float(form["household"].get("current_housing_area") or 0),
        },
        "declared": dict(form.get("declared") or {}),
        "documents": [dict(d) for d in form.get("documents") or []],
        "submitted_at": submitted_at.isoformat(),
    }


def _member(raw: dict) -> dict:
    return {"name": raw["name"], "id_number": raw["id_number"], "relation": raw.get("relation") or "other",
            "monthly_income": float(raw.get("monthly_income") or 0), "employer": raw.get("employer") or ""}


def household_type(members: list[dict]) -> str:
    """single / nuclear / multi_generation from the declared relations."""
    relations = {m["relation"] for m in members}
    if "parent" in relations:
        return "multi_generation"
    return "single" if len(members) == 1 else "nuclear"


def _check_id_numbers(form: dict) -> None:
    _check_members(form["household"]["members"], "household.members",
                   {"applicant.id_number": form["applicant"]["id_number"]})


def _check_members(members: list[dict], field: str, others: dict[str, str] | None = None) -> None:
    """Each ID number's check digit and birth date (``others``: more numbers by field), no member twice."""
    errors: dict[str, list[str]] = {}
    numbers = {**(others or {}), **{f"{field}.{i}.id_number": m["id_number"] for i, m in enumerate(members)}}
    for path, number in numbers.items():
        if not is_valid_id_number(number):
            errors.setdefault(path, []).append("身份证号码校验位或出生日期不正确")
    declared = [m["id_number"] for m in members]
    if len(set(declared)) != len(declared):
        errors.setdefault(field, []).append("同一身份证号码填写了多次")
    if errors:
        raise ValidationFailed("身份证号码有误", errors)


def next_sequence(prefix: str, session: Session | None = None, count: int = 1) -> int:
    """The next number of the counter named ``prefix`` (``GZF2026``, ``PZ2026`` …), in a
    transaction of its own or in ``session``'s (which then holds the counter until it ends);
    ``count`` numbers are taken, and the first is returned."""
    if session is None:
        with db.transaction() as own:
            return next_sequence(prefix, own, count)
    # the first number of a prefix: two submissions at once must not both create the counter
    upsert = sqlite_insert if db.is_sqlite else pg_insert
    session.execute(upsert(CaseCounter).values(prefix=prefix, last=0).on_conflict_do_nothing())
    query = select(CaseCounter).where(CaseCounter.prefix == prefix)
    counter = session.scalar(query if db.is_sqlite else query.with_for_update())
    assert counter is not None  # inserted just above when missing
    counter.last += count
    return counter.last - count + 1


def next_application_no(housing_type: str, year: int, session: Session | None = None) -> str:
    """The next number like ``GZF2026-000123`` (one counter per type and year; see
    :func:`next_sequence` for ``session``)."""
    return next_application_nos(housing_type, year, 1, session)[0]


def next_application_nos(housing_type: str, year: int, count: int, session: Session | None = None) -> list[str]:
    """The next ``count`` numbers of :func:`next_application_no`, taken at once."""
    prefix = f"{PREFIXES[housing_type]}{year}"
    first = next_sequence(prefix, session, count)
    return [f"{prefix}-{n:06d}" for n in range(first, first + count)]


def submit_application(identity: Identity, form: dict, applicant_username: str | None = None,
                       application_no: str | None = None, uploads: Sequence[document_service.Upload] = ()) -> dict:
    """Validate the application form and start the case's process; returns the case view.

    ``identity`` submits and is the actor of the start in the audit trail. The case belongs to
    ``applicant_username`` (default: the submitter): staff may file an application for an
    applicant account of their district (the batch import does), nobody else for anyone but
    themselves. ``application_no`` is a number reserved earlier with :func:`next_application_no`;
    a number that already has a case raises :class:`CaseAlreadyStarted` and starts nothing. An ID
    number of the household already in another open application of the same housing type raises
    :class:`app.claims.DuplicateApplication` (409), also when two submissions race.
    ``uploads`` are the files sent with it, listed after ``form["documents"]`` and kept only if
    the case starts; a document may not name a file stored earlier (it could be anyone's).
    """
    return get_case(identity, file_application(identity, form, applicant_username, application_no, uploads))


def file_application(identity: Identity, form: dict, applicant_username: str | None = None,
                     application_no: str | None = None, uploads: Sequence[document_service.Upload] = (),
                     unattended: bool = False, also: Callable[[Session], object] | None = None) -> str:
    """:func:`submit_application` without reading the case back: its application number (the
    batch import files thousands and shows none of them). ``unattended``: no one waits for this
    start (the batch import's), so it runs the case's first inline handlers (``case/register``)
    in its own transaction instead of leaving them to a worker (ADR 0023). ``also`` writes the
    caller's own rows in the start's transaction (the import marks its row started)."""
    document_service.refuse_file_references(form.get("documents"))
    with document_service.kept_uploads(uploads, form) as form:
        return _start_application(identity, form, applicant_username, application_no, unattended, also)


#: whether a case has that number (every start asks, twice: built once)
_CASE_ID = select(Application.id).where(Application.application_no == bindparam("no"))


def _start_application(identity: Identity, form: dict, applicant_username: str | None,
                       application_no: str | None, unattended: bool,
                       also: Callable[[Session], object] | None) -> str:
    from handlers.case_records import register_case  # handlers import the engine; keep imports lazy

    form = forms.validate_submission(APPLICATION_FORM, form)
    _check_id_numbers(form)
    applicant = applicant_username or identity.username
    if applicant != identity.username and not (identity.is_staff or identity.is_admin):
        raise Forbidden("只能提交本人的申请")
    if applicant != identity.username and not in_district(identity, form["district"]):
        raise Forbidden(Message("case.district_only", district=identity.district))
    numbers = claims.form_numbers(form)
    with db.session() as session:  # the early check, with the field of the number already taken
        if application_no is None or session.scalar(  # a started reserved number is CaseAlreadyStarted
                _CASE_ID, {"no": application_no}) is None:
            claims.check_free(session, form["housing_type"], numbers)
    now = datetime.now(UTC)
    application_no = application_no or next_application_no(form["housing_type"], now.year)
    data = build_process_data(form, applicant, application_no, now)

    def record_case(session, instance) -> None:
        # the case row is written in the instance's own transaction: its first job (case/register)
        # cannot run before the row exists, and a failed start leaves no half-written case
        if session.scalar(_CASE_ID, {"no": application_no}) is not None:
            raise CaseAlreadyStarted(Message("case.already_started", no=application_no))
        register_case(session, data, instance.id, new=True)
        if also is not None:
            also(session)

    try:
        instance_service.start_instance(PROCESS_KEYS[form["housing_type"]], data, application_no,
                                        identity.username, before_commit=record_case, unattended=unattended)
    except IntegrityError:  # a submission for the same household committed first (see app.claims)
        refusal = claims.conflict_after_race(form["housing_type"], numbers)
        if refusal is None:
            raise
        raise refusal from None
    return application_no


def respond_to_supplement(identity: Identity, application_no: str, form: dict,
                          uploads: Sequence[document_service.Upload] = ()) -> dict:
    """The applicant answers a 补正 request: the resubmission message resumes the same case.

    ``uploads`` are files sent with the answer, listed after ``form["documents"]``: each is
    checked like any document (:func:`document_service.check`), all of them before any is kept.
    A refused answer keeps nothing: the files of an answer the form or the case turns down are
    removed again.
    """
    case = _load(identity, application_no)
    if case.applicant_username != identity.username and not identity.is_admin:
        raise Forbidden("只有申请人本人可以补正材料")
    if case.status != "supplement_requested":
        raise Conflict(Message("case.no_supplement_due", no=application_no))
    document_service.refuse_file_references(form.get("documents"))
    with document_service.kept_uploads(uploads, form) as form:
        payload = forms.validate_submission(SUPPLEMENT_FORM, form)
        if payload.get("members"):
            _check_corrected_household(case, payload["members"])
            with db.session() as session:
                claims.check_free(session, case.housing_type, {f"members.{i}.id_number": m["id_number"]
                                                               for i, m in enumerate(payload["members"])}, case.id)
            payload["members"] = _applicant_first(payload["members"])
        try:
            # the answer itself is the message: the diagrams receive it as ``supplement``
            message_service.correlate(SUPPLEMENT_MESSAGE, application_no, payload, identity.username)
        except MessageNotCorrelated:  # answered by another request since the status was read
            raise Conflict(Message("case.no_supplement_due", no=application_no)) from None
    return get_case(identity, application_no)


def _applicant_first(members: list[dict]) -> list[dict]:
    """The household with the applicant first, where every reading of it expects them."""
    return sorted(members, key=lambda m: m.get("relation") != "applicant")


def _check_corrected_household(case: Application, members: list[dict]) -> None:
    """A corrected household passes the application's checks and keeps the applicant as such."""
    _check_members(members, "members")
    if not any(m["id_number"] == case.applicant_id_number and m["relation"] == "applicant" for m in members):
        raise ValidationFailed("更正后的家庭成员须包括申请人本人",
                               {"members": ["须包括申请人本人（关系为“申请人本人”）"]})


def _load(identity: Identity, application_no: str) -> Application:
    with db.session() as session:
        case = session.scalar(select(Application).where(Application.application_no == application_no))
        if case is None or not can_view(identity, case):
            raise CaseNotFound(Message("case.not_found", no=application_no))
        case.members  # noqa: B018 - load the household before the session closes
        return case


def can_view(identity: Identity, case: Application) -> bool:
    """Applicants their own cases; staff their district (city staff all); admins everything."""
    if identity.is_admin or case.applicant_username == identity.username:
        return True
    return identity.is_staff and in_district(identity, case.district)


def in_district(identity: Identity, district: str) -> bool:
    """Whether ``district`` is within the identity's scope (admins and city-level staff: every one)."""
    return identity.is_admin or not identity.district or identity.district == district


def get_case(identity: Identity, application_no: str, full_ids: bool = False) -> dict:
    """One case: status, live step, household, outcome, suggested opinion, supplement request."""
    case = _load(identity, application_no)
    with db.session() as session:
        summary = session.scalar(select(ProcessInstance.summary).where(ProcessInstance.id == case.instance_id)) \
            if case.instance_id else None
    view = case_brief(case, (summary or {}).get("step"))
    view.update({
        "applicant": {"name": case.applicant_name, "id_number": case.applicant_id_number,
                      "phone": case.applicant_phone, "username": case.applicant_username},
        "household": {"type": case.household_type, "size": case.household_size,
                      "members": [{"name": m.name, "id_number": m.id_number, "relation": m.relation,
                                   "monthly_income": m.declared_monthly_income, "employer": m.employer}
                                  for m in case.members]},
        "declared": case.declared, "supplement": case.supplement, "instance_id": case.instance_id,
        "suggested_opinion": case.suggested_opinion if identity.is_staff or identity.is_admin else "",
    })
    return access.redact(identity, view, full=full_ids)


def case_brief(case: Application, live_step: str | None = None) -> dict:
    """The list fields of a case (no ID numbers; the name masked)."""
    return {
        "application_no": case.application_no, "housing_type": case.housing_type,
        "housing_type_name": HOUSING_NAMES.get(case.housing_type, case.housing_type),
        "district": case.district, "applicant_name": case.applicant_name_masked, "status": case.status,
        "step": live_step or case.current_step, "eligible": case.eligible, "priority_score": case.priority_score,
        "outcome": case.outcome, "submitted_at": case.submitted_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
    }


def list_cases_for_applicant(identity: Identity) -> list[dict]:
    """The caller's own applications, newest first."""
    with db.session() as session:
        rows = session.scalars(select(Application).where(Application.applicant_username == identity.username)
                               .order_by(Application.submitted_at.desc())).all()
    return access.redact(identity, [case_brief(c) for c in rows])


def list_visible_cases(identity: Identity, **filters: Any) -> list[dict]:
    """Staff and admins: the cases in their scope (:func:`list_cases`); anyone else their own."""
    if identity.is_staff or identity.is_admin:
        return list_cases(identity, **filters)
    return list_cases_for_applicant(identity)


def list_cases(identity: Identity, status: str | None = None, district: str | None = None,
               housing_type: str | None = None, limit: int = 50) -> list[dict]:
    """Cases a staff member may see, newest first, optionally filtered."""
    if not (identity.is_staff or identity.is_admin):
        raise Forbidden("只有工作人员可以查看案件列表")
    query = select(Application).order_by(Application.submitted_at.desc()).limit(max(1, min(limit, 200)))
    if identity.district and not identity.is_admin:
        query = query.where(Application.district == identity.district)
    for column, value in ((Application.status, status), (Application.district, district),
                          (Application.housing_type, housing_type)):
        if value:
            query = query.where(column == value)
    with db.session() as session:
        return access.redact(identity, [case_brief(c) for c in session.scalars(query).all()])


def verification_table(identity: Identity, application_no: str, full_ids: bool = False) -> dict:
    """Findings per member × source: ``{members: [...], sources: [{source, source_name, cells}]}``.

    ``cells`` maps each member's ID number to ``{verdict, found, summary, facts, method,
    error_code, checked_at, checked_by}``; evidence is left out (see :func:`verification_evidence`).
    """
    case = _load(identity, application_no)
    if not (identity.is_staff or identity.is_admin):
        raise Forbidden("核查明细仅供工作人员查看")
    with db.session() as session:
        rows = session.scalars(select(VerificationResult).where(VerificationResult.application_id == case.id)
                               .order_by(VerificationResult.id)).all()
    sources: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = sources.setdefault(row.source, {"source": row.source, "source_name": row.source_name, "cells": {}})
        entry["cells"][row.id_number] = {
            "verdict": row.verdict, "found": row.found, "summary": row.summary, "facts": row.facts,
            "method": row.method, "error_code": row.error_code, "checked_by": row.checked_by,
            "checked_at": row.checked_at.isoformat(),
        }
    view = {"application_no": application_no,
            "members": [{"name": m.name, "id_number": m.id_number, "relation": m.relation} for m in case.members],
            "sources": list(sources.values()),
            "counts": {v: sum(1 for r in rows if r.verdict == v) for v in ("pass", "fail", "info", "unavailable")}}
    return access.redact(identity, view, full=full_ids)


def verification_evidence(identity: Identity, application_no: str, source: str) -> list[dict]:
    """The masked raw answers one source gave for each member."""
    case = _load(identity, application_no)
    if not (identity.is_staff or identity.is_admin):
        raise Forbidden("核查明细仅供工作人员查看")
    with db.session() as session:
        rows = session.scalars(select(VerificationResult).where(VerificationResult.application_id == case.id,
                                                                VerificationResult.source == source)).all()
    return access.redact(identity, [{"id_number": r.id_number, "member_name": r.member_name,
                                     "evidence": r.evidence} for r in rows])


def review_history(identity: Identity, application_no: str) -> list[dict]:
    """Every decision a person took on the case, oldest first: step, decision, opinion, who, when.

    Read from the audit trail (each completed task is an audited event with its masked data).
    """
    case = _load(identity, application_no)
    if not case.instance_id:
        return []
    with db.session() as session:
        events = session.scalars(
            select(AuditEvent).join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
            .where(AuditEvent.action == "task.completed",
                   (ProcessInstance.business_key == application_no) | (AuditEvent.instance_id == case.instance_id))
            .order_by(AuditEvent.id)).all()
    out = []
    for event in events:
        details = event.details or {}
        data = details.get("data") or {}
        out.append({"step": details.get("name"), "bpmn_id": details.get("bpmn_id"), "actor": event.actor,
                    "at": event.at.isoformat(), "decision": data.get("decision") or (data.get("signature") or {})
                    .get("decision"), "opinion": data.get("opinion") or (data.get("signature") or {}).get("opinion"),
                    "data": data})
    return access.redact(identity, out)
