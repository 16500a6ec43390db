"""The task inbox API: visibility, claim, completion rules, concurrency, paging."""

from __future__ import annotations

import threading

from sqlalchemy import event

from app.db import db
from tests.conftest import deploy_fixture
from tests.support.api import complete, ready, start

DATA = {"members": [{"income": 1}, {"income": 2}], "district": "渝中区"}


def _manual_task(client, auth, district="渝中区"):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", dict(DATA, district=district))
    return inst, ready(client, auth(), inst["id"], "manual_b")[0]


def test_reviewers_see_only_their_district(client, auth):
    _, task = _manual_task(client, auth)
    mine = client.get("/api/v1/tasks", headers=auth("reviewer")).get_json()["items"]
    other = client.get("/api/v1/tasks", headers=auth("reviewer_jb")).get_json()["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    assert other == []
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=auth("reviewer_jb")).status_code == 404
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("reviewer_jb")).status_code == 404


def test_claim_unclaim_and_claimed_by_other(client, auth):
    _, task = _manual_task(client, auth)
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("reviewer"))
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "reviewer"
    assert client.get("/api/v1/tasks?mine=true", headers=auth("reviewer")).get_json()["items"][0]["id"] == task["id"]
    taken = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("admin"))
    assert taken.status_code == 409 and taken.get_json()["error_code"] == "task_claimed"
    assert complete(client, auth("policy"), task["id"]).status_code == 404
    released = client.post(f"/api/v1/tasks/{task['id']}/unclaim", headers=auth("reviewer"))
    assert released.status_code == 200 and released.get_json()["assignee"] is None


def test_form_data_is_validated_and_only_declared_fields_are_taken(client, auth):
    inst, task = _manual_task(client, auth)
    complete(client, auth(), task["id"])
    review = ready(client, auth(), inst["id"], "review")[0]
    bad = complete(client, auth(), review["id"], {"decision": "maybe"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    errors = bad.get_json()["errors"]
    assert set(errors) == {"decision", "opinion"}
    ok = complete(client, auth(), review["id"], {"decision": "approve", "opinion": "同意", "count": 999})
    assert ok.status_code == 200
    data = client.get(f"/api/v1/process-instances/{inst['id']}", headers=auth()).get_json()["data"]
    assert data["count"] == 2 and data["opinion"] == "同意"


def test_completing_a_task_twice_is_409(client, auth):
    _, task = _manual_task(client, auth)
    assert complete(client, auth(), task["id"]).status_code == 200
    again = complete(client, auth(), task["id"])
    assert again.status_code == 409 and again.get_json()["error_code"] == "task_not_ready"


def test_two_clients_completing_the_same_task_get_one_200_and_one_409(app, auth):
    client = app.test_client()
    _, task = _manual_task(client, auth)
    headers = auth()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def worker():
        with app.app_context():
            c = app.test_client()
            barrier.wait()
            codes.append(c.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}},
                                headers=headers).status_code)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [200, 409]


def _rows_read(plan: dict, relation: str) -> int:
    """Rows the plan's scans of ``relation`` returned, over all their loops."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == relation else 0
    return own + sum(_rows_read(child, relation) for child in plan.get("Plans", []))


def test_one_task_is_looked_up_reading_its_own_candidate_rows_only(app, client, auth):
    """Opening and completing a task test the user's groups on that task's candidate rows, not on
    every row of those groups: the lookup's cost must not grow with the inbox."""
    deploy_fixture(client, auth(), "smoke.bpmn")
    tasks = [ready(client, auth(), start(client, auth(), "smoke", DATA)["id"], "manual_b")[0] for _ in range(6)]
    task = tasks[-1]
    lookups: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, params, context, executemany):
        if "FROM human_task" in statement and "task_candidate" in statement:
            lookups.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/api/v1/tasks/{task['id']}", headers=auth("reviewer")).status_code == 200
        assert client.get(f"/api/v1/tasks/{tasks[0]['id']}", headers=auth("reviewer_jb")).status_code == 404
        assert complete(client, auth("reviewer"), task["id"]).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(lookups) >= 3
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement, params in lookups:
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
                plan = cur.fetchone()[0][0]["Plan"]
                assert _rows_read(plan, "task_candidate") <= 1, statement  # "reviewers" of this task alone
            raw.rollback()
        finally:
            raw.close()


def test_keyset_pagination_walks_every_task_once(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    ids = {ready(client, auth(), start(client, auth(), "smoke", DATA)["id"])[0]["id"] for _ in range(5)}
    seen, cursor = [], None
    while True:
        url = "/api/v1/tasks?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=auth()).get_json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5


def test_task_filters(client, auth):
    inst, task = _manual_task(client, auth)
    q = client.get("/api/v1/tasks?business_key=none&process_key=smoke", headers=auth()).get_json()["items"]
    assert q == []
    q = client.get("/api/v1/tasks?candidate_group=supervisors&bpmn_id=manual_b", headers=auth()).get_json()
    assert [t["id"] for t in q["items"]] == [task["id"]]
    assert client.get("/api/v1/tasks?overdue=true", headers=auth()).get_json()["items"] == []
    assert client.get("/api/v1/tasks?limit=0", headers=auth()).status_code == 422
    assert client.get("/api/v1/tasks?cursor=@@", headers=auth()).status_code == 422
