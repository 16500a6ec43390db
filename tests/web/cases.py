"""Test data for the portal and task pages: an application case row linked to a running instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import db
from app.models import Application, AuditEvent, HumanTask
from app.services import definition_service, document_service, instance_service
from tests.web.conftest import FIXTURES, start_case

ID_NUMBER = "110105199001011234"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


@pytest.fixture
def uploads(web_app, tmp_path):
    """Uploaded files go to a folder of the test's own."""
    before = web_app.instance_path
    web_app.instance_path = str(tmp_path)
    yield Path(tmp_path) / "uploads"
    web_app.instance_path = before


def make_case(no: str, district: str = "渝中区", applicant: str = "applicant", status: str = "in_review",
              supplement: dict | None = None, documents: list[dict] | None = None,
              process: str = "web_review") -> str:
    """A case row for ``no`` and its running ``process`` instance; returns the instance id."""
    if process == "web_review":
        instance_id = start_case(no, district=district, applicant=applicant)
    else:
        definition_service.deploy([("web_supplement.bpmn", (FIXTURES / "web_supplement.bpmn").read_bytes())], "test")
        data = {"application_no": no, "district": district, "applicant_username": applicant, "title": f"{no}"}
        instance_id = instance_service.start_instance(process, data, business_key=no, actor=applicant).id
    with db.transaction() as session:
        session.add(Application(
            application_no=no, housing_type="gongzufang", district=district, instance_id=instance_id,
            applicant_username=applicant, applicant_name="张三丰", applicant_name_masked="张*丰",
            applicant_id_number=ID_NUMBER, applicant_phone="13800001111", household_type="single", status=status,
            supplement=supplement or {}, declared={"documents": documents or []}))
    return instance_id


def stored(kind: str, name: str, content: bytes = PDF) -> dict:
    """A document stored as the portal stores uploads."""
    return document_service.store(kind, name, content)


def ready_task(instance_id: str) -> HumanTask | None:
    with db.session() as session:
        return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.status == "ready"))


def audit_count(instance_id: str, action: str) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).where(AuditEvent.instance_id == instance_id,
                                                         AuditEvent.action == action))
