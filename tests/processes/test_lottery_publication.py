"""On PostgreSQL: a lottery round publishes its seed hash (timestamped, audited) before the draw and
keeps the seed secret until then; after the draw anyone can read the seed and recompute the order."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.db import db
from app.models import AllocationRound, AuditEvent, ProcessInstance
from app.services import audit_service, tenancy_service
from handlers import lottery
from tests.processes.conftest import PROCESSES, complete, deploy, staff
from tests.support.lottery_data import DISTRICT, HOUSEHOLDS, UNITS, seed_waiting_households

OFFICER = staff("city", "allocation_officer", None, "city_reviewer")


def _audit(round_no: str) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.subject_type == "allocation_round", AuditEvent.subject_id == round_no).order_by(AuditEvent.seq)))


def test_the_hash_is_published_before_the_draw_and_the_seed_only_after(housing_app, housing_client):
    assert deploy(housing_client, housing_app,
                  [("allocation.bpmn", (PROCESSES / "allocation.bpmn").read_bytes())]).status_code == 201
    numbers = seed_waiting_households()
    started = tenancy_service.start_allocation_round(OFFICER, {
        "housing_type": "gongzufang", "district": DISTRICT, "method": "lottery", "units": UNITS})
    round_no = started["round_no"]
    with db.session() as session:
        row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no))
        secret, published_at = row.seed, row.seed_hash_published_at
        state = session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == started["instance_id"]))
    assert secret and published_at is not None and secret not in state  # not even in the workflow's data

    before = housing_client.get(f"/api/v1/public/lottery/{round_no}")
    assert before.status_code == 200
    body = before.get_json()
    assert body["seed"] is None and body["drawn"] is False and body["result"] == []
    assert body["seed_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert body["seed_hash_published_at"] == published_at.isoformat() and body["algorithm"] == "sha256-sort-v1"
    assert [p["application_no"] for p in body["participants"]] == sorted(numbers)
    assert [p["name"] for p in body["participants"]] == [masked for _n, _name, _id, masked in HOUSEHOLDS]
    assert all(set(p) == {"application_no", "name"} for p in body["participants"])  # never an ID number
    page = housing_client.get(f"/public/lottery/{round_no}").get_data(as_text=True)
    for text in (before.get_data(as_text=True), page):
        assert secret not in text and not any(name in text or id_number in text
                                              for _n, name, id_number, _m in HOUSEHOLDS)
    assert body["seed_hash"] in page and "摇号后公布" in page
    listed = housing_client.get("/api/v1/public/lottery").get_json()["rounds"]
    assert [(r["round_no"], r["seed"]) for r in listed] == [(round_no, None)]
    [committed] = _audit(round_no)
    assert committed.action == "lottery.seed_committed" and committed.details["seed_hash"] == body["seed_hash"]
    assert secret not in str(committed.details) and committed.details["participants"] == sorted(numbers)

    complete(OFFICER, round_no, "confirm_draw", {"confirm": True, "witness": "公证员"})

    after = housing_client.get(f"/api/v1/public/lottery/{round_no}").get_json()
    assert after["seed"] == secret and after["drawn"] is True
    assert after["seed_hash"] == body["seed_hash"] and after["seed_hash_published_at"] == body["seed_hash_published_at"]
    assert after["drawn_at"] > after["seed_hash_published_at"]
    order = [p["application_no"] for p in after["result"]]
    assert order == lottery.draw_order(secret, numbers) and [p["rank"] for p in after["result"]] == [1, 2, 3]
    assert secret in housing_client.get(f"/public/lottery/{round_no}").get_data(as_text=True)
    events = _audit(round_no)
    assert [e.action for e in events] == ["lottery.seed_committed", "lottery.drawn"]
    assert events[1].details["seed"] == secret and events[1].details["order"] == order
    with db.session() as session:
        assert audit_service.verify_chain(session, "allocation_round", round_no)


def test_an_unknown_round_is_a_problem_and_a_readable_page(housing_client):
    answer = housing_client.get("/api/v1/public/lottery/PZ2026-9999")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["error_code"] == "lottery_round_not_found"
    page = housing_client.get("/public/lottery/PZ2026-9999")
    assert page.status_code == 404 and "摇号轮次 PZ2026-9999 不存在" in page.get_data(as_text=True)
