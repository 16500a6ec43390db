"""The applicant's own view: my cases, their progress, and the tasks waiting for me.

An applicant sees a case only if they started it (or it names them as its applicant); anything
else answers "not found", whatever id is tried.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from app.auth.identity import Identity
from app.db import db
from app.models import HumanTask, ProcessInstance
from app.services import case_file_service, instance_service
from app.services.errors import InstanceNotFound

#: history actions an applicant sees on their timeline
PUBLIC_ACTIONS = ("instance.started", "task.completed", "instance.completed")
#: messages an applicant sees on their timeline (their own 补正; not objections, which are staff's)
PUBLIC_MESSAGES = ("supplement_submitted",)


def _mine(identity: Identity):
    return or_(ProcessInstance.started_by == identity.username,
               ProcessInstance.summary["applicant_username"].as_string() == identity.username)


def my_cases(identity: Identity, limit: int = 50) -> list[dict]:
    """The identity's cases, newest first (top-level instances only)."""
    with db.session() as session:
        rows = session.scalars(
            select(ProcessInstance).where(_mine(identity), ProcessInstance.parent_instance_id.is_(None))
            .order_by(ProcessInstance.started_at.desc()).limit(limit)
        ).all()
    return [{"id": r.id, "business_key": r.business_key, "process_key": r.process_key, "status": r.status,
             "started_at": r.started_at, "summary": r.summary or {}} for r in rows]


def my_tasks(identity: Identity) -> list[dict]:
    """Ready tasks assigned to the identity (supplements, offers, leases …)."""
    with db.session() as session:
        rows = session.scalars(
            select(HumanTask).where(HumanTask.assignee == identity.username, HumanTask.status == "ready")
            .order_by(HumanTask.created_at)
        ).all()
    return [instance_service.task_brief(t) for t in rows]


def my_case(identity: Identity, instance_id: str) -> dict:
    """One of the identity's cases with its progress timeline; 404 for anyone else's."""
    with db.session() as session:
        row = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id, _mine(identity)))
        if row is None:
            raise InstanceNotFound(f"process instance {instance_id} does not exist")
    details = instance_service.get_instance(instance_id)
    timeline = [h for h in case_file_service.case_history(instance_id)
                if h["action"] in PUBLIC_ACTIONS or h.get("message") in PUBLIC_MESSAGES]
    waiting = [t for t in details["ready_tasks"]]
    return {"instance": details, "timeline": timeline, "current": waiting, "summary": details["summary"] or {}}
