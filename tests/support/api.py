"""Small helpers for driving the API in tests."""

from __future__ import annotations

from tests.support.settle import settle


def start(client, headers, key: str, data: dict | None = None, business_key: str | None = None) -> dict:
    response = client.post("/api/v1/process-instances", json={"process_key": key, "data": data or {},
                                                              "business_key": business_key}, headers=headers)
    assert response.status_code == 201, response.get_json()
    settle()
    return instance(client, headers, response.get_json()["id"])


def instance(client, headers, instance_id: str) -> dict:
    response = client.get(f"/api/v1/process-instances/{instance_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ready(client, headers, instance_id: str, bpmn_id: str | None = None) -> list[dict]:
    tasks = instance(client, headers, instance_id)["ready_tasks"]
    return [t for t in tasks if bpmn_id is None or t["bpmn_id"] == bpmn_id]


def complete(client, headers, task_id: str, data: dict | None = None):
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data or {}}, headers=headers)
    settle()
    return response


def history_ids(client, headers, instance_id: str) -> list[str]:
    response = client.get(f"/api/v1/process-instances/{instance_id}/history", headers=headers)
    assert response.status_code == 200
    return [n["bpmn_id"] for n in response.get_json()["items"]]
