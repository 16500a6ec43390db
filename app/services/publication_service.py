"""The public side of 公示: the lists on show, and objections from the public.

Nothing here needs a login. A list shows only what the law allows: masked names, application
numbers, districts, household sizes — never an ID number, phone or address. An objection is
real-name: the objector's identity is kept for the investigation and never shown.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.engine import workdays
from app.l10n import Message
from app.models import Application, Objection, Publication, PublicationEntry
from app.privacy import mask_name
from app.services import access, forms, message_service
from app.services.case_service import HOUSING_NAMES, CaseNotFound, can_view
from app.services.errors import Conflict, Forbidden, MessageNotCorrelated

OBJECTION_FORM = "objection.schema.json"
OBJECTION_MESSAGE = "objection_filed"


def _today() -> date:
    return workdays.now_utc().astimezone(workdays.CHINA_TZ).date()


def current_publications(district: str | None = None, housing_type: str | None = None) -> list[dict]:
    """Lists on show today, newest first, each with its de-identified entries."""
    query = (select(Publication).where(Publication.status == "open", Publication.ends_on >= _today())
             .order_by(Publication.starts_on.desc(), Publication.id.desc()))
    if district:
        query = query.where(Publication.district == district)
    if housing_type:
        query = query.where(Publication.housing_type == housing_type)
    with db.session() as session:
        return [publication_view(p) for p in session.scalars(query).all()]


def publication_view(publication: Publication) -> dict:
    """One list as the public page shows it."""
    return {
        "batch_no": publication.batch_no, "title": publication.title, "district": publication.district,
        "housing_type": publication.housing_type,
        "housing_type_name": HOUSING_NAMES.get(publication.housing_type, publication.housing_type),
        "starts_on": publication.starts_on.isoformat(), "ends_on": publication.ends_on.isoformat(),
        "entries": [{"application_no": e.application_no, "name": e.masked_name, "district": e.district,
                     "household_size": e.household_size, "status": e.status}
                    for e in publication.entries if e.status in ("published", "objected")],
    }


def file_objection(form: dict) -> dict:
    """Record a real-name objection to a published case and tell the case (message ``objection_filed``).

    The case takes objections one at a time; one filed while another is being investigated
    waits for its turn, so a message nobody waits for is not an error here.
    """
    data = forms.validate_submission(OBJECTION_FORM, form)
    with db.transaction() as session:
        entry = session.scalar(
            select(PublicationEntry).join(Publication, Publication.id == PublicationEntry.publication_id)
            .where(PublicationEntry.application_no == data["application_no"],
                   PublicationEntry.status.in_(("published", "objected")),
                   Publication.status == "open", Publication.ends_on >= _today()))
        if entry is None:
            raise Conflict(Message("publicity.not_published", no=data["application_no"]))
        objection = Objection(application_id=entry.application_id, application_no=entry.application_no,
                              entry_id=entry.id, objector_name=data["objector_name"],
                              objector_id_number=data["objector_id_number"], objector_phone=data["objector_phone"],
                              content=data["content"], status="pending", finding="", reason_code="")
        session.add(objection)
        entry.status = "objected"
        session.flush()
        objection_id = objection.id
    try:
        message_service.correlate(OBJECTION_MESSAGE, data["application_no"], {"objection_id": objection_id},
                                  "public")
    except MessageNotCorrelated:
        pass  # the case is investigating another objection; this one waits in the table
    return {"objection_id": objection_id, "application_no": data["application_no"], "status": "received"}


def objections_for(identity: Identity, application_no: str) -> list[dict]:
    """The objections to one case, for staff (the objector's ID number masked)."""
    if not (identity.is_staff or identity.is_admin):
        raise Forbidden("异议详情仅供工作人员查看")
    with db.session() as session:
        case = session.scalar(select(Application).where(Application.application_no == application_no))
        if case is None or not can_view(identity, case):
            raise CaseNotFound(Message("case.not_found", no=application_no))
        rows = session.scalars(select(Objection).where(Objection.application_id == case.id)
                               .order_by(Objection.filed_at)).all()
    return access.redact(identity, [{
        "id": o.id, "objector_name": mask_name(o.objector_name), "objector_id_number": o.objector_id_number,
        "content": o.content, "status": o.status, "finding": o.finding, "reason_code": o.reason_code,
        "filed_at": o.filed_at.isoformat(), "due_at": o.due_at.isoformat() if o.due_at else None,
        "resolved_at": o.resolved_at.isoformat() if o.resolved_at else None} for o in rows])
