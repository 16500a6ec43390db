"""The public 公示 page: de-identified lists, real-name objections, rate limiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db
from app.models import Objection
from tests.web.conftest import Browserless
from tests.web.publications import ID_NUMBER, PHONE, clear_publications, publish_case

OBJECTOR = {"objector_name": "钱多多", "objector_id_number": "11010519491231002X", "objector_phone": "13912345678",
            "content": "该申请人名下在本市另有住房一套，已出租多年，请予核查。"}


@pytest.fixture
def published(real_forms):
    """One open publication listing one case."""
    yield publish_case()
    clear_publications()


def test_the_list_shows_masked_names_and_never_personal_numbers(published, web_app):
    page = Browserless(web_app).get("/publicity").get_data(as_text=True)
    assert "GZF2026-000001" in page and "张*丰" in page and "公租房" in page
    assert "张三丰" not in page and ID_NUMBER not in page and PHONE not in page


def test_a_real_name_objection_is_recorded_for_the_case(published, web_app):
    b = Browserless(web_app)
    response = b.post(f"/publicity/objection/{published}", data=OBJECTOR)
    assert response.status_code == 302
    with db.session() as session:
        objection = session.scalar(select(Objection))
    assert objection.status == "pending" and objection.application_no == published
    assert "回执号" in b.get("/publicity").get_data(as_text=True)


def test_an_incomplete_objection_is_refused_with_reasons(published, web_app):
    response = Browserless(web_app).post(f"/publicity/objection/{published}",
                                         data=dict(OBJECTOR, objector_id_number="123", content="太短"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-error-for="objector_id_number"' in page
    assert 'data-error-for="content"' in page
    assert Browserless(web_app).post("/publicity/objection/GZF2026-999999", data=OBJECTOR).status_code == 409


def test_objections_are_rate_limited_and_need_the_csrf_token(published, web_app):
    b = Browserless(web_app)
    assert b.client.post(f"/publicity/objection/{published}", data=OBJECTOR).status_code == 400
    codes = [b.post(f"/publicity/objection/{published}", data=OBJECTOR).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
