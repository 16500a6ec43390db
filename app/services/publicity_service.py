"""The public side of 公示: the open lists (de-identified) and filing a real-name objection.

Lists show only what a publication entry holds — masked name, application number, district,
housing type, household size — never an ID number, phone or address. An objection is stored
``pending`` for its case to take up (see docs/case-data.md); the objector's ID number is kept
for the investigation and never shown on a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import db, utcnow
from app.engine.workdays import CHINA_TZ
from app.models import Objection, Publication, PublicationEntry
from app.services import audit_service
from app.services.errors import NotFound, ValidationFailed
from connectors.base.identity import is_valid_id_number

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
HOUSING_NAMES = {"gongzufang": "公租房", "baozufang": "保租房"}


@dataclass(frozen=True)
class PublicEntry:
    """One line of a public list."""

    application_no: str
    masked_name: str
    district: str
    housing_type: str
    household_size: int


def open_lists(today: date | None = None) -> list[dict]:
    """Publications whose period includes today, newest first, with their entries."""
    today = today or utcnow().astimezone(CHINA_TZ).date()
    with db.session() as session:
        rows = session.scalars(
            select(Publication).options(selectinload(Publication.entries))
            .where(Publication.status == "open", Publication.starts_on <= today, Publication.ends_on >= today)
            .order_by(Publication.starts_on.desc(), Publication.id.desc())
        ).all()
    return [{"batch_no": p.batch_no, "title": p.title, "district": p.district,
             "housing_type": HOUSING_NAMES.get(p.housing_type, p.housing_type),
             "starts_on": p.starts_on, "ends_on": p.ends_on,
             "entries": [PublicEntry(e.application_no, e.masked_name, e.district,
                                     HOUSING_NAMES.get(e.housing_type, e.housing_type), e.household_size)
                         for e in p.entries if e.status in ("published", "objected")]} for p in rows]


def file_objection(application_no: str, name: str, id_number: str, phone: str, content: str) -> dict:
    """Record a real-name objection to a case on an open list; returns a receipt (no personal data)."""
    name, id_number, phone, content = (name or "").strip(), (id_number or "").strip().upper(), \
        (phone or "").strip(), (content or "").strip()
    errors: dict[str, list[str]] = {}
    if not 2 <= len(name) <= 20:
        errors["name"] = ["请填写真实姓名"]
    if not is_valid_id_number(id_number):
        errors["id_number"] = ["身份证号码不正确"]
    if not PHONE_RE.match(phone):
        errors["phone"] = ["手机号码不正确"]
    if not 10 <= len(content) <= 2000:
        errors["content"] = ["请写明异议事实和理由（10–2000 字）"]
    if errors:
        raise ValidationFailed("异议信息不完整", errors)
    today = utcnow().astimezone(CHINA_TZ).date()
    with db.transaction() as session:
        entry = session.scalar(
            select(PublicationEntry).join(Publication)
            .where(PublicationEntry.application_no == application_no, Publication.status == "open",
                   Publication.starts_on <= today, Publication.ends_on >= today,
                   PublicationEntry.status.in_(("published", "objected")))
        )
        if entry is None:
            raise NotFound(f"{application_no} 不在公示期内")
        objection = Objection(application_id=entry.application_id, application_no=application_no,
                              entry_id=entry.id, objector_name=name, objector_id_number=id_number,
                              objector_phone=phone, content=content, status="pending")
        session.add(objection)
        session.flush()
        audit_service.record(session, "public", "objection.filed", "application", application_no,
                             {"objection_id": objection.id})
        return {"receipt": f"YY{objection.id:08d}", "application_no": application_no}
