"""What the supervision officer reads: the warnings of their district with evidence, and the
decisions taken.

The warnings are worked as human tasks (``handle_warning`` of ``processes/supervision.bpmn``,
group ``supervision_officer``, scoped to the lease's district like every inbox task); this
module lists the checks behind them. An officer with a district sees that district only.
"""

from __future__ import annotations

from sqlalchemy import select

from app.auth.identity import Identity
from app.db import db
from app.models import Application, HumanTask, Lease
from app.services.errors import Forbidden
from app.supervision.models import SupervisionCheck

OFFICERS = "supervision_officer"
OPEN = ("warned", "rectifying")
STATUS_NAMES = {"checking": "核查中", "clear": "未发现风险", "warned": "待处置", "dismissed": "已解除",
                "rectifying": "整改中", "exit": "已启动退出", "failed": "未能启动"}


class NotAnOfficer(Forbidden):
    code = "not_a_supervision_officer"


def _allowed(identity: Identity) -> None:
    if not identity.is_admin and OFFICERS not in identity.groups:
        raise NotAnOfficer("仅动态监管人员可查看")


def warnings_for(identity: Identity, include_closed: bool = False, limit: int = 200) -> list[dict]:
    """Checks with warnings in the officer's district, newest first, each with its open task."""
    _allowed(identity)
    statuses = (*OPEN, "dismissed", "exit") if include_closed else OPEN
    query = select(SupervisionCheck).where(SupervisionCheck.status.in_(statuses))
    if identity.district and not identity.is_admin:
        query = query.where(SupervisionCheck.district == identity.district)
    with db.session() as session:
        rows = list(session.scalars(query.order_by(SupervisionCheck.id.desc()).limit(limit)))
        ids = [r.instance_id for r in rows if r.instance_id]
        tasks = {t.instance_id: t for t in session.scalars(select(HumanTask).where(
            HumanTask.instance_id.in_(ids), HumanTask.status == "ready"))} if ids else {}
    return [view(r, tasks.get(r.instance_id or "")) for r in rows]


def notices_for(identity: Identity) -> list[dict]:
    """The rectification notices (整改通知) on the tenant's own leases, newest first."""
    query = (select(SupervisionCheck).join(Lease, Lease.id == SupervisionCheck.lease_id)
             .join(Application, Application.id == Lease.application_id)
             .where(Application.applicant_username == identity.username, SupervisionCheck.decision == "rectify")
             .order_by(SupervisionCheck.id.desc()))
    with db.session() as session:
        rows = list(session.scalars(query))
    return [{"lease_no": r.lease_no, "issued_on": r.decided_at.date().isoformat() if r.decided_at else r.period,
             "reasons": [w.get("reason", "") for w in r.warnings or []], "items": (r.notice or {}).get("items", ""),
             "deadline": (r.notice or {}).get("deadline", ""), "status": r.status} for r in rows]


def view(row: SupervisionCheck, task: HumanTask | None = None) -> dict:
    """One check as the pages and the API show it."""
    return {
        "check_id": row.id, "lease_no": row.lease_no, "district": row.district, "period": row.period,
        "status": row.status, "status_name": STATUS_NAMES.get(row.status, row.status),
        "warnings": row.warnings or [], "decision": row.decision, "decision_reason": row.decision_reason,
        "decided_by": row.decided_by, "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "checked_at": row.checked_at.isoformat() if row.checked_at else None,
        "task_id": task.id if task is not None else None, "task_name": task.name if task is not None else None,
    }
