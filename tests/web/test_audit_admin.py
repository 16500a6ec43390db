"""系统管理 → 审计校验: the last verification with its breaks, the last checkpoint, verify now."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text

from app.audit import service
from app.audit.texts import PROBLEM_LABELS
from app.audit.verify import PROBLEMS
from app.db import db
from app.services import audit_service
from app.web.i18n import EN

AUDIT = Path(__file__).resolve().parents[2] / "app" / "audit"


def test_an_operator_sees_the_last_verification_and_checkpoint_and_verifies_now(web_app, as_user):
    with db.transaction() as session:
        audit_service.record(session, "alice", "task.completed", "process_instance", "case-7", {})
        audit_service.record(session, "alice", "task.completed", "process_instance", "case-7", {})
    b = as_user("operator")
    page = b.get("/admin/audit").get_data(as_text=True)
    assert "审计校验" in page and "尚未校验" in page and "尚无检查点" in page
    assert 'href="/admin/audit"' in b.get("/admin").get_data(as_text=True)  # in the admin menu

    assert b.post("/admin/audit/verify").status_code == 302
    cp, _ = service.take_checkpoint()
    page = b.get("/admin/audit").get_data(as_text=True)
    assert re.search(r'data-testid="verification-result" class="ok">完整<', page)
    assert cp.root in page and "页面" in page

    with db.engine.begin() as conn:
        event_id = conn.execute(text("SELECT max(id) FROM audit_event WHERE subject_id = 'case-7'")).scalar()
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :id"), {"id": event_id})
    b.post("/admin/audit/verify")
    page = b.get("/admin/audit").get_data(as_text=True)
    assert re.search(r'data-testid="verification-result" class="error">被破坏<', page)
    assert "process_instance/case-7" in page and f"#{event_id}" in page
    assert "内容与密钥哈希不符（被修改、伪造或重算）" in page

    b.get("/lang/en")
    english = b.get("/admin/audit").get_data(as_text=True)
    assert "Audit verification" in english and "Broken" in english
    assert "Does not match its keyed hash (edited, forged or recomputed)" in english


def test_reviewers_may_not_open_the_page(web_app, as_user):
    assert as_user("street_yz").get("/admin/audit").status_code in (302, 403)


def test_every_text_of_the_audit_page_has_english():
    source = "\n".join(p.read_text(encoding="utf-8") for p in list(AUDIT.rglob("*.html")) + [AUDIT / "views.py"])
    texts = set(re.findall(r"""t\(\s*"([^"]*[\u4e00-\u9fff][^"]*)\"""", source))
    texts |= set(re.findall(r"""["']([^"'{}]*[\u4e00-\u9fff][^"'{}]*)["']\s*[,}]""", source))
    texts -= {t for t in texts if "\n" in t}
    texts |= set(PROBLEM_LABELS.values())
    missing = sorted(t for t in texts if t not in EN)
    assert texts and not missing, missing
    assert set(PROBLEM_LABELS) == set(PROBLEMS)
