"""The reviewer inbox: district scoping, tabs, filters, claim / release, batch approval, paging."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.db import db, utcnow
from app.models import AuditEvent, HumanTask
from app.services import inbox_service
from app.services.user_service import authenticate
from tests.web.conftest import start_case


def _task_ids(html: str) -> list[str]:
    import re

    return re.findall(r'data-task-id="([^"]+)"', html)


def _ready(instance_id: str) -> HumanTask:
    with db.session() as session:
        return session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.status == "ready"))


def test_street_reviewers_see_only_their_district(web_app, as_user):
    yz = _ready(start_case("YZ-1"))
    jb = _ready(start_case("JB-1", district="江北区"))
    page = as_user("street_yz").get("/inbox?tab=groups").get_data(as_text=True)
    assert _task_ids(page) == [yz.id]
    assert "张*丰" in page and "张三丰" not in page
    assert _task_ids(as_user("street_jb").get("/inbox?tab=groups").get_data(as_text=True)) == [jb.id]
    assert as_user("street_jb").get(f"/tasks/{yz.id}").status_code == 404


def test_claim_moves_a_task_to_mine_and_unclaim_back(web_app, as_user):
    task = _ready(start_case("YZ-2"))
    b = as_user("street_yz")
    assert b.post(f"/inbox/{task.id}/claim", data={"keep_tab": "mine"}).status_code == 302
    assert _task_ids(b.get("/inbox?tab=mine").get_data(as_text=True)) == [task.id]
    assert _task_ids(b.get("/inbox?tab=groups").get_data(as_text=True)) == []
    b.post(f"/inbox/{task.id}/unclaim")
    assert _task_ids(b.get("/inbox?tab=groups").get_data(as_text=True)) == [task.id]


def test_filters_and_overdue_badge(web_app, as_user):
    late = _ready(start_case("YZ-3", housing_type="保租房"))
    fresh = _ready(start_case("YZ-4"))
    with db.transaction() as session:
        session.execute(update(HumanTask).where(HumanTask.id == late.id).values(due_at=utcnow() - timedelta(days=9)))
    b = as_user("street_yz")
    assert _task_ids(b.get("/inbox?tab=groups&housing_type=baozufang").get_data(as_text=True)) == [late.id]
    assert _task_ids(b.get("/inbox?tab=groups&application_no=YZ-4").get_data(as_text=True)) == [fresh.id]
    page = b.get("/inbox?tab=groups&overdue=1").get_data(as_text=True)
    assert _task_ids(page) == [late.id] and "超期" in page
    assert _task_ids(b.get("/inbox?tab=groups&step=复审").get_data(as_text=True)) == []
    assert _task_ids(b.get("/inbox?tab=groups").get_data(as_text=True)) == [late.id, fresh.id]  # by due date


def test_batch_approve_completes_each_task_with_its_own_audit_event(web_app, as_user):
    tasks = [_ready(start_case(f"YZ-B{i}")) for i in range(3)]
    b = as_user("street_yz")
    response = b.post("/inbox/batch-approve", data={"task_id": [t.id for t in tasks[:2]],
                                                     "opinion": "经审核符合条件，同意"})
    assert response.status_code == 302
    with db.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.completed")).all()
    assert sorted(e.details["task_id"] for e in events) == sorted(t.id for t in tasks[:2])
    assert all(e.actor == "street_yz" and e.details["data"]["opinion"] == "经审核符合条件，同意" for e in events)
    assert _task_ids(b.get("/inbox?tab=groups").get_data(as_text=True)) == [tasks[2].id]
    done = b.get("/inbox?tab=done").get_data(as_text=True)
    assert set(_task_ids(done)) == {t.id for t in tasks[:2]}


def test_batch_approve_needs_an_opinion(web_app, as_user):
    task = _ready(start_case("YZ-B9"))
    b = as_user("street_yz")
    b.post("/inbox/batch-approve", data={"task_id": [task.id], "opinion": ""})
    assert _ready(task.instance_id).id == task.id


def test_keyset_pages_cover_every_task_once(web_app):
    ids = [_ready(start_case(f"YZ-P{i}")).id for i in range(7)]
    with db.transaction() as session:  # two tasks without a deadline come last
        session.execute(update(HumanTask).where(HumanTask.id.in_(ids[:2])).values(due_at=None))
    identity = authenticate("street_yz", "demo123")
    seen, cursor = [], None
    while True:
        page = inbox_service.inbox(identity, inbox_service.InboxQuery(tab="groups", cursor=cursor, limit=3))
        seen += [r.task["id"] for r in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    assert set(seen[-2:]) == set(ids[:2])
    assert page.counts["groups"] == "7"


def test_mine_and_pool_together_are_exactly_what_the_api_shows(web_app, as_user):
    for i, district in enumerate(["渝中区", "江北区", None, "渝中区"]):  # None: a task without district
        start_case(f"EQ-{i}", district=district)
    as_user("street_yz").post(f"/inbox/{_ready(start_case('EQ-claimed')).id}/claim")
    from app.services import task_service

    for username in ("street_yz", "street_jb", "district_yz", "minzheng", "applicant", "admin"):
        identity = authenticate(username, "demo123")
        api = {t["id"] for t in task_service.list_tasks(identity, task_service.TaskFilter(), 200)["items"]
               if t["assignee"] in (None, username)}  # the pool leaves out tasks colleagues claimed
        inbox = set()
        for tab in ("mine", "groups"):
            inbox |= {r.task["id"] for r in inbox_service.inbox(identity, inbox_service.InboxQuery(tab=tab,
                                                                                                 limit=100)).rows}
        assert inbox == api, username


def test_my_claimed_tasks_page_in_deadline_order(web_app, as_user):
    ids = [_ready(start_case(f"YZ-M{i}")).id for i in range(5)]
    b = as_user("street_yz")
    for task_id in ids:
        b.post(f"/inbox/{task_id}/claim")
    with db.transaction() as session:
        session.execute(update(HumanTask).where(HumanTask.id == ids[4]).values(due_at=utcnow() - timedelta(days=1)))
        session.execute(update(HumanTask).where(HumanTask.id == ids[0]).values(due_at=None))
    identity = authenticate("street_yz", "demo123")
    seen, cursor = [], None
    while True:
        page = inbox_service.inbox(identity, inbox_service.InboxQuery(tab="mine", cursor=cursor, limit=2))
        seen += [r.task["id"] for r in page.rows]
        if not (cursor := page.next_cursor):
            break
    assert len(seen) == 5 and set(seen) == set(ids)
    assert seen[0] == ids[4] and seen[-1] == ids[0] and page.counts["mine"] == "5"
