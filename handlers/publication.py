"""公示: putting an approved case on the public list, taking objections, closing the period.

* ``publication/open`` — adds the case to today's batch for its housing type and district
  (created on first use) for N working days on China's calendar; returns the period.
* ``publication/take_objection`` — the oldest objection waiting for this case, now being
  investigated with its own deadline (``objection_days`` working days from now), and whether
  the period is over. An objection filed while another is under investigation waits here for
  its turn.
* ``publication/resolve_objection`` — records the investigation's finding.
* ``publication/close`` — the case passed its publication; a batch whose entries are all
  decided and whose period has ended closes.

Entries hold only the masked name, application number, district and household size.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.engine import workdays
from app.engine.operators import OperatorError, operator
from app.models import Objection, Publication, PublicationEntry
from app.privacy import mask_name
from handlers.records import as_datetime, dry_run, find_case, now, transaction

HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保租房"}
PREFIXES = {"gongzufang": "GZF", "baozufang": "BZF"}


class OpenParams(Schema):
    """Parameters of ``publication/open``."""

    application_no = fields.String(required=True)
    housing_type = fields.String(required=True, validate=validate.OneOf(tuple(HOUSING_NAMES)))
    district = fields.String(required=True)
    applicant_name = fields.String(required=True)
    household_size = fields.Integer(required=True)
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=60),
                          metadata={"description": "working days the list stays up"})


class TakeParams(Schema):
    """Parameters of ``publication/take_objection``."""

    application_no = fields.String(required=True)
    ends_at = fields.String(required=True, metadata={"description": "ISO end of the publication period"})
    objection_days = fields.Integer(load_default=10, validate=validate.Range(min=1, max=60),
                                    metadata={"description": "working days to investigate an objection"})
    period_over = fields.Boolean(load_default=False, metadata={"description": "the period's timer has fired"})


class ResolveParams(Schema):
    """Parameters of ``publication/resolve_objection``."""

    application_no = fields.String(required=True)
    objection_id = fields.Integer(required=True)
    finding = fields.String(required=True, validate=validate.OneOf(("upheld", "dismissed")))
    finding_text = fields.String(required=True)
    reason_code = fields.String(load_default="")


class CloseParams(Schema):
    """Parameters of ``publication/close``."""

    application_no = fields.String(required=True)
    batch_no = fields.String(required=True)


def period(days: int, start: datetime | None = None) -> dict:
    """A publication period of ``days`` working days starting today (China time)."""
    start = start or workdays.now_utc()
    ends_at = workdays.add_working_days(start, days)
    local_start = start.astimezone(workdays.CHINA_TZ).date()
    local_end = (ends_at - timedelta(seconds=1)).astimezone(workdays.CHINA_TZ).date()
    return {"starts_on": local_start.isoformat(), "ends_on": local_end.isoformat(), "ends_at": ends_at.isoformat()}


def batch_of(housing_type: str, district: str, starts_on: str) -> tuple[str, str]:
    """The batch number and title of the list a case published on ``starts_on`` joins."""
    day = date.fromisoformat(starts_on)
    number = f"{PREFIXES[housing_type]}{day:%Y%m%d}-{district}"
    title = f"{district}{day.year}年{day.month}月{day.day}日{HOUSING_NAMES[housing_type]}资格审核结果公示"
    return number, title


@operator("publication/open", params=OpenParams)
def open_publication(params: dict, ctx) -> dict:
    """Publish the case (masked) for the configured number of working days."""
    times = period(params["days"])
    batch_no, title = batch_of(params["housing_type"], params["district"], times["starts_on"])
    result = {"batch_no": batch_no, "title": title, **times, "entry_id": None,
              "masked_name": mask_name(params["applicant_name"])}
    with transaction(ctx) as session:
        if session is None:
            return result
        case = find_case(session, params["application_no"], lock=True)
        publication = session.scalar(select(Publication).where(Publication.batch_no == batch_no))
        if publication is None:
            publication = Publication(batch_no=batch_no, title=title, housing_type=params["housing_type"],
                                      district=params["district"], starts_on=date.fromisoformat(times["starts_on"]),
                                      ends_on=date.fromisoformat(times["ends_on"]), status="open", opened_at=now())
            session.add(publication)
            session.flush()
        publication.ends_on = max(publication.ends_on, date.fromisoformat(times["ends_on"]))
        publication.status = "open"
        entry = session.scalar(select(PublicationEntry).where(
            PublicationEntry.publication_id == publication.id, PublicationEntry.application_no == case.application_no))
        if entry is None:
            entry = PublicationEntry(publication_id=publication.id, application_id=case.id,
                                     application_no=case.application_no, masked_name=result["masked_name"],
                                     district=case.district, housing_type=case.housing_type,
                                     household_size=params["household_size"], status="published", created_at=now())
            session.add(entry)
            session.flush()
        case.status, case.current_step, case.updated_at = "in_publication", "公示", now()
        result["entry_id"] = entry.id
    return result


@operator("publication/take_objection", params=TakeParams)
def take_objection(params: dict, ctx) -> dict:
    """The next objection to investigate (or none) and whether the period has ended."""
    over = params["period_over"] or now() >= as_datetime(params["ends_at"])
    if dry_run(ctx):
        return {"next": None, "period_over": over}
    with transaction(ctx) as session:
        objection = session.scalar(
            select(Objection).where(Objection.application_no == params["application_no"],
                                    Objection.status == "pending").order_by(Objection.filed_at, Objection.id))
        if objection is None:
            return {"next": None, "period_over": over}
        objection.status = "investigating"
        if objection.due_at is None:
            objection.due_at = workdays.add_working_days(now(), params["objection_days"])
        return {"next": objection_view(objection), "period_over": over}


def objection_view(objection: Objection) -> dict:
    """An objection as the investigation task shows it (the objector's name masked)."""
    return {"id": objection.id, "content": objection.content, "objector": mask_name(objection.objector_name),
            "filed_at": objection.filed_at.isoformat(),
            "due_at": objection.due_at.isoformat() if objection.due_at else None}


@operator("publication/resolve_objection", params=ResolveParams)
def resolve_objection(params: dict, ctx) -> dict:
    """Record whether an objection was upheld (the case will be rejected) or dismissed."""
    with transaction(ctx) as session:
        if session is not None:
            objection = session.get(Objection, params["objection_id"])
            if objection is None or objection.application_no != params["application_no"]:
                raise OperatorError("ObjectionNotFound", f"objection {params['objection_id']} is not for this case",
                                    retryable=False)
            objection.status, objection.finding = params["finding"], params["finding_text"]
            objection.reason_code, objection.resolved_at = params["reason_code"], now()
            if params["finding"] == "upheld" and objection.entry_id:
                entry = session.get(PublicationEntry, objection.entry_id)
                if entry is not None:
                    entry.status = "withdrawn"
    return {"objection_id": params["objection_id"], "finding": params["finding"]}


@operator("publication/close", params=CloseParams)
def close_publication(params: dict, ctx) -> dict:
    """The case passed its publication; close the batch once every entry is decided."""
    with transaction(ctx) as session:
        if session is not None:
            publication = session.scalar(select(Publication).where(Publication.batch_no == params["batch_no"]))
            if publication is not None:
                for entry in publication.entries:
                    if entry.application_no == params["application_no"] and entry.status != "withdrawn":
                        entry.status = "passed"
                today = workdays.now_utc().astimezone(workdays.CHINA_TZ).date()
                if today > publication.ends_on or all(e.status in ("passed", "withdrawn") for e in publication.entries):
                    publication.status, publication.closed_at = "closed", now()
    return {"application_no": params["application_no"], "status": "passed", "closed_at": now().isoformat()}
