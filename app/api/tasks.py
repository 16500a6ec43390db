"""The task inbox: list, claim, unclaim, complete."""

from __future__ import annotations

from flask import Blueprint, request

from app.api import responses as r
from app.api.auth import current_identity, requires
from app.api.openapi import operation
from app.api.schemas import CompleteTaskRequest, TaskQuery
from app.services import task_service
from app.services.instance_service import task_brief

bp = Blueprint("tasks", __name__)


@bp.get("/tasks")
@requires()
@operation("Tasks visible to the caller (keyset-paginated)", tag="tasks", query=TaskQuery,
           responses={200: r.TaskPage})
def list_tasks():
    """Tasks visible to the caller, filtered, ordered by due date, keyset-paginated."""
    q = TaskQuery().load(request.args.to_dict())
    flt = task_service.TaskFilter(
        candidate_group=q.get("candidate_group"), assignee=q.get("assignee"), status=q["status"],
        process_key=q.get("process_key"), business_key=q.get("business_key"), bpmn_id=q.get("bpmn_id"),
        district=q.get("district"), overdue=q["overdue"], mine_only=q["mine"],
    )
    return task_service.list_tasks(current_identity(), flt, q["limit"], q.get("cursor"), q["sort"])


@bp.get("/tasks/<task_id>")
@requires()
@operation("One task", tag="tasks", responses={200: r.Task})
def get(task_id: str):
    """One task."""
    return task_brief(task_service.get_task(current_identity(), task_id))


@bp.post("/tasks/<task_id>/claim")
@requires()
@operation("Claim a task", tag="tasks", responses={200: r.Task}, errors=(409,))
def claim(task_id: str):
    """Assign the task to the caller."""
    return task_service.claim(current_identity(), task_id)


@bp.post("/tasks/<task_id>/unclaim")
@requires()
@operation("Release a task", tag="tasks", responses={200: r.Task}, errors=(409,))
def unclaim(task_id: str):
    """Release the task to its groups."""
    return task_service.unclaim(current_identity(), task_id)


@bp.post("/tasks/<task_id>/complete")
@requires()
@operation("Complete a task; 409 if no longer ready, 422 if data does not match its form", tag="tasks",
           body=CompleteTaskRequest, responses={200: r.Task}, errors=(409,))
def complete(task_id: str):
    """Complete the task with form data (validated against the task's form)."""
    body = CompleteTaskRequest().load(request.get_json(silent=True) or {})
    return task_service.complete(current_identity(), task_id, body["data"])


@bp.post("/tasks/<task_id>/signing-code")
@requires("applicant")
@operation("Send the one-time SMS code for signing a lease to the tenant's phone", tag="tasks",
           responses={200: r.SigningCodeSent}, errors=(400, 404),
           description="Only the tenant of record; complete the task with the code in `sms_code`")
def send_signing_code(task_id: str):
    """Send the signing code of a ``sign_lease`` task (the API twin of the page's button)."""
    from app.contracts import signing

    return signing.send_code(current_identity(), task_id)
