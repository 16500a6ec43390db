"""办理进度查询: masked answers, one refusal for every mismatch, rate limits, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import db
from app.models import AuditEvent
from app.public import progress_service, ratelimit
from app.public.errors import ProgressNotMatched, ProgressQueryLimited
from app.services.errors import ValidationFailed
from tests.public.conftest import ID_NUMBER, PHONE, make_case


def test_the_right_suffix_shows_the_stage_and_dates_masked_and_nothing_else(public_app):
    number = make_case()
    answer = progress_service.query(number.lower(), ID_NUMBER[-6:], "10.0.0.1").as_dict()
    assert answer == {"application_no": number, "housing_type": "gongzufang", "applicant": "张*丰",
                      "status": "in_review", "step": "初审", "submitted_on": "2026-11-02",
                      "updated_on": "2026-11-20", "closed_on": None, "supplement_deadline": None}
    text = repr(answer)
    assert ID_NUMBER not in text and PHONE not in text and "张三丰" not in text and "内部意见" not in text


def test_a_wrong_suffix_and_an_unknown_number_get_the_same_refusal(public_app):
    number = make_case()
    refusals = []
    for no, suffix in ((number, "999999"), ("GZF2026-999999", ID_NUMBER[-6:])):
        with pytest.raises(ProgressNotMatched) as caught:
            progress_service.query(no, suffix, "10.0.0.2")
        refusals.append((type(caught.value), caught.value.detail, caught.value.extra))
    assert refusals[0] == refusals[1]


def test_malformed_input_is_refused_by_field_before_any_lookup(public_app):
    with pytest.raises(ValidationFailed) as caught:
        progress_service.query("123", "12345", "10.0.0.3")
    assert set(caught.value.errors) == {"application_no", "id_suffix"}


def test_every_query_is_audited_without_the_suffix(public_app):
    number = make_case()
    progress_service.query(number, ID_NUMBER[-6:], "10.0.0.4")
    with pytest.raises(ProgressNotMatched):
        progress_service.query(number, "000000", "10.0.0.4")
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "public_progress")
                                 .order_by(AuditEvent.id)).all()
    assert [(e.action, e.subject_id, e.actor) for e in events] == [
        ("progress.answered", number, "public:10.0.0.4"), ("progress.refused", number, "public:10.0.0.4")]
    assert all(ID_NUMBER[-6:] not in repr(e.details) for e in events)


def test_one_number_is_limited_across_addresses(public_app):
    number = make_case()
    for i in range(ratelimit.BY_NUMBER.amount):
        with pytest.raises(ProgressNotMatched):
            progress_service.query(number, f"{i:06d}", f"10.1.0.{i}")
    with pytest.raises(ProgressQueryLimited):  # even the right suffix waits now
        progress_service.query(number, ID_NUMBER[-6:], "10.1.1.1")
    with db.session() as session:
        assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "progress.limited"


def test_one_address_is_limited_across_numbers(public_app):
    for i in range(ratelimit.BY_ADDRESS.amount):
        with pytest.raises(ProgressNotMatched):
            progress_service.query(f"GZF2026-{i:06d}", "123456", "10.2.0.1")
    with pytest.raises(ProgressQueryLimited):
        progress_service.query("GZF2026-000999", "123456", "10.2.0.1")
    make_case("GZF2026-000123")
    assert progress_service.query("GZF2026-000123", ID_NUMBER[-6:], "10.2.0.2").step == "初审"
