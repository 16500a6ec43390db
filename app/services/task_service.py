"""The task inbox: listing, claiming, releasing and completing human tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select, tuple_
from sqlalchemy.orm import Session

from app.auth.identity import Identity
from app.db import db, utcnow
from app.engine.human_tasks import ANY_STAFF
from app.engine.runtime import TaskNotReady as EngineTaskNotReady
from app.models import HumanTask, TaskCandidate
from app.services import audit_service, forms
from app.services.errors import Forbidden, TaskClaimedByOther, TaskNotFound, TaskNotReady, ValidationFailed
from app.services.instance_service import task_brief
from app.services.step import Step, with_instance
from app.services.task_pages import deadline_page, decode_cursor, encode_cursor, no_parallel_workers

MAX_PAGE = 200


@dataclass
class TaskFilter:
    """Inbox filters; all optional."""

    candidate_group: str | None = None
    assignee: str | None = None
    status: str = "ready"
    process_key: str | None = None
    business_key: str | None = None
    bpmn_id: str | None = None
    district: str | None = None
    overdue: bool = False
    mine_only: bool = False


def visible_to(identity: Identity, task_id: str | None = None):
    """SQL condition: the tasks ``identity`` may see.

    ``task_id`` when the query looks up that one task: its group test then reads only that
    task's candidate rows. Inside the ``OR``, PostgreSQL may otherwise hash every candidate row
    of the user's groups to test one task, a cost that grows with the table.
    """
    if identity.is_admin:
        return True
    groups = list(identity.groups) + [ANY_STAFF] if identity.is_staff else list(identity.groups)
    one = () if task_id is None else (TaskCandidate.task_id == task_id,)
    in_group = exists().where(TaskCandidate.task_id == HumanTask.id, *one, TaskCandidate.group_name.in_(groups))
    conditions = [in_group]
    if identity.district:
        conditions.append(or_(HumanTask.district.is_(None), HumanTask.district == identity.district))
    return or_(HumanTask.assignee == identity.username, and_(*conditions))


def visibility_branches(identity: Identity) -> list[list]:
    """:func:`visible_to` as branches without an ``OR`` (see :mod:`app.services.task_pages`)."""
    if identity.is_admin:
        return [[]]
    groups = list(identity.groups) + [ANY_STAFF] if identity.is_staff else list(identity.groups)
    in_group = exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.group_name.in_(groups))
    mine = [HumanTask.assignee == identity.username]
    if identity.district:
        return [mine, [in_group, HumanTask.district == identity.district], [in_group, HumanTask.district.is_(None)]]
    return [mine, [in_group]]


def _filters(identity: Identity, flt: TaskFilter) -> list:
    conditions = []
    if flt.status:
        conditions.append(HumanTask.status == flt.status)
    if flt.candidate_group:
        conditions.append(exists().where(TaskCandidate.task_id == HumanTask.id,
                                         TaskCandidate.group_name == flt.candidate_group))
    if flt.mine_only:
        conditions.append(HumanTask.assignee == identity.username)
    elif flt.assignee:
        conditions.append(HumanTask.assignee == flt.assignee)
    for column, value in ((HumanTask.process_key, flt.process_key), (HumanTask.business_key, flt.business_key),
                          (HumanTask.bpmn_id, flt.bpmn_id), (HumanTask.district, flt.district)):
        if value:
            conditions.append(column == value)
    if flt.overdue:
        conditions.append(HumanTask.due_at < utcnow())
    return conditions


def list_tasks(identity: Identity, flt: TaskFilter, limit: int = 50, cursor: str | None = None,
               sort: str = "due_at") -> dict:
    """A page of tasks visible to ``identity``, keyset-paged: by deadline (tasks without one
    last), or by creation time."""
    limit = max(1, min(limit, MAX_PAGE))
    after = decode_cursor(cursor) if cursor else None
    filters = _filters(identity, flt)
    with db.session() as session:
        no_parallel_workers(session)
        if sort == "due_at":
            branches = [select(HumanTask).where(*branch, *filters) for branch in visibility_branches(identity)]
            rows, more = deadline_page(session, branches, after, limit, dated_only=flt.overdue)
        else:
            query = select(HumanTask).where(visible_to(identity), *filters)
            if after is not None:
                query = query.where(tuple_(HumanTask.created_at, HumanTask.id) > tuple_(after[0], after[1]))
            rows = list(session.scalars(query.order_by(HumanTask.created_at, HumanTask.id).limit(limit + 1)))
            rows, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(last.due_at if sort == "due_at" else last.created_at, last.id)
    return {"items": [task_brief(t) for t in rows], "next_cursor": next_cursor}


def get_task(identity: Identity, task_id: str) -> HumanTask:
    """One task the identity may see (404 otherwise, so task ids do not leak)."""
    with db.session() as session:
        task = session.scalar(select(HumanTask).where(HumanTask.id == task_id, visible_to(identity, task_id)))
        if task is None:
            raise TaskNotFound(f"task {task_id} does not exist")
        return task


def _locked_task(session: Session, identity: Identity, task_id: str) -> HumanTask:
    task = session.scalar(
        select(HumanTask).where(HumanTask.id == task_id, visible_to(identity, task_id)).with_for_update()
    )
    if task is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    if task.status != "ready":
        raise TaskNotReady(f"task {task_id} is {task.status}")
    return task


def claim(identity: Identity, task_id: str) -> dict:
    """Assign a ready task to the caller."""
    with db.transaction() as session:
        task = _locked_task(session, identity, task_id)
        if task.assignee and task.assignee != identity.username:
            raise TaskClaimedByOther(f"task {task_id} is claimed by {task.assignee}")
        task.assignee = identity.username
        audit_service.record(session, identity.username, "task.claimed", "process_instance",
                             task.instance_id, {"task_id": task.id, "name": task.name},
                             instance_id=task.instance_id)
        return task_brief(task)


def unclaim(identity: Identity, task_id: str) -> dict:
    """Release a task back to its candidate groups."""
    with db.transaction() as session:
        task = _locked_task(session, identity, task_id)
        if task.assignee != identity.username and not identity.is_admin:
            raise Forbidden("only the assignee or an administrator can release this task")
        task.assignee = None
        audit_service.record(session, identity.username, "task.unclaimed", "process_instance",
                             task.instance_id, {"task_id": task.id, "name": task.name},
                             instance_id=task.instance_id)
        return task_brief(task)


#: Form key → ``check(identity, task, data) -> data``: a context's extra condition on completing a
#: task with that form (raises a domain error to refuse); registered by the context's package.
COMPLETION_CHECKS: dict[str, Callable[[Identity, HumanTask, dict], dict]] = {}


def complete(identity: Identity, task_id: str, data: dict) -> dict:
    """Validate ``data`` against the task's form and complete the task.

    Raises :class:`TaskNotReady` (→ 409) when someone else completed it first and
    :class:`ValidationFailed` (→ 422) when the data does not match the form.
    """
    if not isinstance(data, dict):
        raise ValidationFailed("data must be a JSON object", {"data": ["must be an object"]})
    task = get_task(identity, task_id)
    if task.status != "ready":
        raise TaskNotReady(f"task {task_id} is {task.status}")
    if task.assignee and task.assignee != identity.username and not identity.is_admin:
        raise TaskClaimedByOther(f"task {task_id} is claimed by {task.assignee}")
    data = forms.validate_submission(task.form_key, data)
    check = COMPLETION_CHECKS.get(task.form_key or "")
    if check is not None:
        data = check(identity, task, data)

    def action(step: Step) -> dict:
        row = _locked_task(step.session, identity, task_id)
        try:
            step.run.complete_user_task(task_id, data)
        except EngineTaskNotReady as exc:
            raise TaskNotReady(str(exc)) from None
        row.status, row.completed_at, row.completed_by = "completed", utcnow(), identity.username
        row.assignee = row.assignee or identity.username
        step.audit("task.completed", {"task_id": task_id, "bpmn_id": row.bpmn_id, "name": row.name,
                                      "data": forms.audit_view(data)})
        return task_brief(row)

    return with_instance(task.instance_id, action, identity.username)
