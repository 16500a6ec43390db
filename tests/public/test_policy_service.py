"""The policy library and the FAQ on PostgreSQL: search, publish rules, editing rights, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.db import db
from app.models import AuditEvent
from app.public import demo, faq_service, policy_service
from app.public.errors import NotPublishable, PolicyDocumentNotFound, StillPublished
from app.services.errors import Forbidden, ValidationFailed
from tests.public.conftest import POLICY, REVIEWER

DOC = {"title": "公共租赁住房管理办法", "doc_no": "住房和城乡建设部令第11号", "issuer": "住房和城乡建设部",
       "issued_on": "2012-05-28", "housing_type": "gongzufang", "city": "全国",
       "summary": "规范公共租赁住房的分配、运营、使用和退出。", "body": "第一条 为了加强对公共租赁住房的管理……"}


def audit_actions(subject_type: str) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == subject_type)
                                    .order_by(AuditEvent.id)))


def test_a_new_document_is_a_draft_the_public_cannot_see(public_app):
    doc = policy_service.create(POLICY, DOC)
    assert doc["published"] is False
    assert policy_service.search("公共租赁") == []
    with pytest.raises(PolicyDocumentNotFound):
        policy_service.get(doc["id"])
    assert [d["id"] for d in policy_service.search("公共租赁", include_drafts=True)] == [doc["id"]]


def test_search_finds_words_in_title_summary_and_full_text_literally(public_app):
    first = policy_service.create(POLICY, DOC)
    second = policy_service.create(POLICY, DOC | {"title": "保障性租赁住房意见", "housing_type": "baozufang",
                                                  "summary": "新市民、青年人 100% 覆盖", "body": "小户型为主"})
    for doc in (first, second):
        policy_service.set_published(POLICY, doc["id"], True)
    assert [d["id"] for d in policy_service.search("管理办法")] == [first["id"]]  # title
    assert [d["id"] for d in policy_service.search("新市民")] == [second["id"]]  # summary
    assert [d["id"] for d in policy_service.search("小户型")] == [second["id"]]  # full text
    assert [d["id"] for d in policy_service.search("100%")] == [second["id"]]  # % is a character, not a wildcard
    assert policy_service.search("0_") == []
    assert {d["id"] for d in policy_service.search("", housing_type="baozufang")} == {second["id"]}
    assert policy_service.search("管理办法 小户型") == []  # every word must match


def test_a_document_needs_a_summary_and_a_text_or_pdf_to_be_published(public_app):
    doc = policy_service.create(POLICY, DOC | {"body": ""})
    with pytest.raises(NotPublishable):
        policy_service.set_published(POLICY, doc["id"], True)
    policy_service.update(POLICY, doc["id"], DOC | {"body": "", "pdf": ("办法.pdf", b"%PDF-1.4 sample")})
    assert policy_service.set_published(POLICY, doc["id"], True)["published"] is True
    assert policy_service.pdf(doc["id"]) == ("办法.pdf", b"%PDF-1.4 sample")
    with pytest.raises(NotPublishable):  # a published document cannot lose what it needs
        policy_service.update(POLICY, doc["id"], DOC | {"body": "", "remove_pdf": True})


def test_only_a_withdrawn_document_can_be_deleted_and_every_step_is_audited(public_app):
    doc = policy_service.create(POLICY, DOC)
    policy_service.set_published(POLICY, doc["id"], True)
    with pytest.raises(StillPublished):
        policy_service.delete(POLICY, doc["id"])
    policy_service.update(POLICY, doc["id"], DOC | {"title": "公共租赁住房管理办法（2012）"})
    policy_service.set_published(POLICY, doc["id"], False)
    policy_service.delete(POLICY, doc["id"])
    assert audit_actions("policy_document") == ["policy.created", "policy.published", "policy.updated",
                                                 "policy.withdrawn", "policy.deleted"]
    with db.session() as session:
        updated = session.scalar(select(AuditEvent).where(AuditEvent.action == "policy.updated"))
    assert updated.actor == "policy" and updated.details["fields"] == ["title"]


def test_bad_input_names_each_field_and_a_non_pdf_is_refused(public_app):
    with pytest.raises(ValidationFailed) as caught:
        policy_service.create(POLICY, {"title": "", "issued_on": "2012-13-40", "housing_type": "villa",
                                       "issuer": "x", "city": "全国", "pdf": ("a.pdf", b"<html>")})
    assert set(caught.value.errors) == {"title", "issued_on", "housing_type", "pdf"}


def test_only_policy_staff_edit(public_app):
    with pytest.raises(Forbidden):
        policy_service.create(REVIEWER, DOC)
    with pytest.raises(Forbidden):
        faq_service.create(REVIEWER, {"question": "问", "answer": "答", "housing_type": "general"})


def test_faq_entries_follow_the_same_rules(public_app):
    entry = faq_service.create(POLICY, {"question": "怎样查询进度？", "answer": "输入申请编号和身份证后6位。",
                                        "housing_type": "general", "position": "2"})
    assert faq_service.entries() == []
    faq_service.set_published(POLICY, entry["id"], True)
    assert [e["question"] for e in faq_service.entries("gongzufang")] == ["怎样查询进度？"]
    with pytest.raises(StillPublished):
        faq_service.delete(POLICY, entry["id"])
    faq_service.set_published(POLICY, entry["id"], False)
    faq_service.delete(POLICY, entry["id"])
    assert audit_actions("faq_entry") == ["faq.created", "faq.published", "faq.withdrawn", "faq.deleted"]


def test_demo_content_loads_once(public_app):
    assert demo.load() == (len(demo.DOCUMENTS), len(demo.FAQ))
    assert demo.load() == (0, 0)
    found = policy_service.search("公共租赁住房管理办法")
    assert found[0]["doc_no"] == "住房和城乡建设部令第11号" and found[0]["issued_on"] == date(2012, 5, 28).isoformat()


def test_search_works_the_same_on_the_embedded_sqlite_default(sqlite_app):
    doc = policy_service.create(POLICY, DOC | {"summary": "Public Rental 100% 公租房"})
    policy_service.set_published(POLICY, doc["id"], True)
    assert [d["id"] for d in policy_service.search("管理办法")] == [doc["id"]]
    assert [d["id"] for d in policy_service.search("public rental")] == [doc["id"]]  # case-insensitive
    assert [d["id"] for d in policy_service.search("100%")] == [doc["id"]] and policy_service.search("0_") == []
