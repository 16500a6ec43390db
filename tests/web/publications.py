"""Test data for the 公示 pages: one open publication listing one case."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete

from app.db import db
from app.models import Application, Objection, Publication, PublicationEntry

ID_NUMBER = "500103199003071234"
PHONE = "13800001111"


def publish_case(application_no: str = "GZF2026-000001") -> str:
    """Create a case (张三丰, 渝中区) and an open publication listing it; returns its number."""
    today = date.today()
    with db.transaction() as session:
        case = Application(application_no=application_no, housing_type="gongzufang", district="渝中区",
                           applicant_username="applicant", applicant_name="张三丰", applicant_name_masked="张*丰",
                           applicant_id_number=ID_NUMBER, applicant_phone=PHONE, household_type="single")
        session.add(case)
        session.flush()
        publication = Publication(batch_no="GS-2026-01", title="2026年第1批公租房资格审核公示",
                                  housing_type="gongzufang", district="渝中区",
                                  starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=8))
        publication.entries.append(PublicationEntry(application_id=case.id, application_no=application_no,
                                                    masked_name="张*丰", district="渝中区", housing_type="gongzufang",
                                                    household_size=3))
        session.add(publication)
    return application_no


def clear_publications() -> None:
    """Remove what :func:`publish_case` and objections created."""
    with db.transaction() as session:
        for model in (Objection, PublicationEntry, Publication, Application):
            session.execute(delete(model))
