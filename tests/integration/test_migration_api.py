"""Moving waiting instances to a newer version of their process."""

from __future__ import annotations

import io

from tests.conftest import deploy_fixture, fixture_bytes
from tests.support.api import complete, history_ids, instance, ready, start

DATA = {"members": [{"income": 1}, {"income": 2}], "district": "渝中区"}


def _deploy(client, auth, xml: bytes):
    response = client.post("/api/v1/process-definitions", headers=auth("policy"), content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(xml), "smoke.bpmn")]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["items"][0]["version"]


def test_plan_and_migrate_a_waiting_instance(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    moved, stays = start(client, auth(), "smoke", DATA, "M-1"), start(client, auth(), "smoke", DATA, "M-2")
    v2 = _deploy(client, auth, fixture_bytes("smoke.bpmn").replace(b"count &gt; 1", b"count &gt; 100"))
    plan = client.get("/api/v1/process-definitions/smoke/migration-plan", headers=auth("policy")).get_json()
    assert plan["to_version"] == v2 == 2
    rows = {r["instance_id"]: r for r in plan["instances"]}
    assert rows[moved["id"]]["can_migrate"] and rows[moved["id"]]["waiting_at"] == ["manual_b"]
    result = client.post("/api/v1/process-definitions/smoke/migrations", headers=auth("policy"),
                         json={"instance_ids": [moved["id"]]}).get_json()
    assert result["results"] == [{"instance_id": moved["id"], "migrated": True}]
    assert instance(client, auth(), moved["id"])["version"] == 2
    for inst in (moved, stays):
        complete(client, auth(), ready(client, auth(), inst["id"], "manual_b")[0]["id"])
    assert instance(client, auth(), moved["id"])["status"] == "completed"  # new rule: no review
    assert [t["bpmn_id"] for t in ready(client, auth(), stays["id"])] == ["review"]  # old rule
    assert history_ids(client, auth(), moved["id"])[-1] == "end_small"


def test_instances_whose_elements_are_gone_cannot_move(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    inst = start(client, auth(), "smoke", DATA)
    xml = fixture_bytes("smoke.bpmn")
    for old, new in ((b'id="prepare"', b'id="prepare_v2"'), (b'Ref="prepare"', b'Ref="prepare_v2"'),
                     (b">prepare</bpmn:flowNodeRef>", b">prepare_v2</bpmn:flowNodeRef>")):
        xml = xml.replace(old, new)
    _deploy(client, auth, xml)
    [row] = client.get("/api/v1/process-definitions/smoke/migration-plan", headers=auth()).get_json()["instances"]
    assert row["can_migrate"] is False and row["missing_elements"] == ["prepare"]
    result = client.post("/api/v1/process-definitions/smoke/migrations", headers=auth(),
                         json={"instance_ids": [inst["id"]]}).get_json()["results"][0]
    assert result["migrated"] is False and "prepare" in result["reason"]
    assert instance(client, auth(), inst["id"])["version"] == 1


def test_migration_needs_policy_staff(client, auth):
    deploy_fixture(client, auth(), "smoke.bpmn")
    assert client.get("/api/v1/process-definitions/smoke/migration-plan", headers=auth("reviewer")).status_code == 403
    empty = client.post("/api/v1/process-definitions/smoke/migrations", headers=auth(), json={"instance_ids": []})
    assert empty.status_code == 422
