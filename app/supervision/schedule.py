"""Starting supervision checks in batches, so one run never floods the data platforms.

Every ``supervision_batch_seconds`` the scheduler (:data:`app.services.scheduler_service.PERIODIC`,
entry ``supervision``) starts a ``supervision`` instance for at most ``supervision_batch_size``
active leases whose last check began more than ``supervision_cadence_days`` ago (or never). A
monthly cadence over 10,000 leases at 50 per 5 minutes takes under 17 hours of each month.

The leases are claimed with ``FOR UPDATE SKIP LOCKED`` and a ``supervision_check`` row per lease
and day (unique), so two schedulers never start the same check twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select

from app.db import db, utcnow
from app.engine import workdays
from app.models import Application, Lease, ProcessDefinition, ProcessInstance, TenancyExit
from app.services import context, instance_service
from app.supervision.models import SupervisionCheck

log = logging.getLogger(__name__)
PROCESS_KEY = "supervision"
OVERDUE_KEY = "supervision_overdue"


def _due_leases(session, now: datetime, cadence_days: int, limit: int) -> list[Lease]:
    recent = exists().where(SupervisionCheck.lease_id == Lease.id,
                            SupervisionCheck.started_at > now - timedelta(days=cadence_days))
    # the application's verification is the first baseline: a lease is first due one cadence in
    first_due = now.astimezone(workdays.CHINA_TZ).date() - timedelta(days=cadence_days)
    query = (select(Lease).where(Lease.status == "active", Lease.starts_on <= first_due, ~recent)
             .order_by(Lease.id).limit(limit))
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True, of=Lease)
    return list(session.scalars(query))


def instance_data(lease: Lease, case: Application, check_id: int, period: str) -> dict:
    """What a ``supervision`` instance starts with: the lease, the unit, the declared household."""
    return {
        "lease_no": lease.lease_no, "check_id": check_id, "period": period,
        "application_no": case.application_no, "housing_type": case.housing_type, "district": case.district,
        "title": f"动态监管 {lease.lease_no}", "step": "动态监管", "applicant_name": case.applicant_name,
        "applicant": {"name": case.applicant_name, "id_number": case.applicant_id_number,
                      "phone": case.applicant_phone, "username": case.applicant_username},
        "household": {"type": case.household_type, "members": [
            {"name": m.name, "id_number": m.id_number, "relation": m.relation,
             "monthly_income": m.declared_monthly_income, "employer": m.employer} for m in case.members]},
        "unit": {"code": lease.unit_code, "address": lease.unit_address},
    }


def start_batch(now: datetime | None = None, batch_size: int | None = None,
                cadence_days: int | None = None) -> list[str]:
    """Start one batch of due checks; returns the started instance ids."""
    settings = context.settings()
    now = now or utcnow()
    batch_size = batch_size or settings.supervision_batch_size
    cadence_days = cadence_days or settings.supervision_cadence_days
    period = now.astimezone(workdays.CHINA_TZ).date().isoformat()
    with db.session() as session:
        if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == PROCESS_KEY)
                          .limit(1)) is None:
            return []  # not deployed here: nothing to start
    starts = []
    with db.transaction() as session:
        for lease in _due_leases(session, now, cadence_days, batch_size):
            case = session.get(Application, lease.application_id)
            if case is None:
                continue
            check = SupervisionCheck(lease_id=lease.id, lease_no=lease.lease_no, district=case.district,
                                     period=period, status="checking", facts={}, usage={}, warnings=[], notice={},
                                     decision_reason="", started_at=now)
            session.add(check)
            session.flush()
            starts.append((check.id, f"{lease.lease_no}-S{period}", instance_data(lease, case, check.id, period)))
    started = []
    for check_id, business_key, data in starts:
        def link(session, instance, check_id=check_id) -> None:
            row = session.get(SupervisionCheck, check_id)
            if row is not None:
                row.instance_id = instance.id

        try:
            started.append(instance_service.start_instance(PROCESS_KEY, data, business_key, "system",
                                                           before_commit=link).id)
        except Exception:  # one lease's failure must not stop the batch; the row shows it
            log.exception("supervision check %s could not start", business_key)
            with db.transaction() as session:
                row = session.get(SupervisionCheck, check_id)
                if row is not None:
                    row.status = "failed"
    return started


def _overdue(session, today) -> list[tuple[Lease, str, str]]:
    """(lease, since, reason) of every household that should have left and has not (应退未退)."""
    out: list[tuple[Lease, str, str]] = []
    moving = select(TenancyExit, Lease).join(Lease, Lease.id == TenancyExit.lease_id).where(
        TenancyExit.status == "moving", TenancyExit.moving_deadline < today, Lease.status != "ended")
    for row, lease in session.execute(moving):
        out.append((lease, row.moving_deadline.isoformat(), f"退出搬迁期已于{row.moving_deadline.isoformat()}届满"))
    leaving = {lease.id for lease, _, _ in out}
    for lease in session.scalars(select(Lease).where(Lease.status == "active", Lease.ends_on < today)):
        if lease.id not in leaving:
            out.append((lease, lease.ends_on.isoformat(), f"租期已于{lease.ends_on.isoformat()}届满且未续租"))
    return out


def start_overdue(now: datetime | None = None, limit: int | None = None) -> list[str]:
    """Remind and escalate (``supervision_overdue``) each overdue household, once a month at most."""
    now = now or utcnow()
    limit = limit or context.settings().supervision_batch_size
    today = now.astimezone(workdays.CHINA_TZ).date()
    month = today.isoformat()[:7]
    starts = []
    with db.session() as session:
        if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == OVERDUE_KEY).limit(1)) is None:
            return []
        for lease, since, reason in _overdue(session, today):
            business_key = f"{lease.lease_no}-overdue-{month}"
            if session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_key == OVERDUE_KEY,
                                                               ProcessInstance.business_key == business_key)):
                continue
            case = session.get(Application, lease.application_id)
            if case is None:
                continue
            data = instance_data(lease, case, 0, today.isoformat()) | {
                "title": f"应退未退 {lease.lease_no}", "step": "应退未退", "overdue_since": since,
                "overdue_reason": reason}
            starts.append((business_key, data))
            if len(starts) >= limit:
                break
    started = []
    for business_key, data in starts:
        try:
            started.append(instance_service.start_instance(OVERDUE_KEY, data, business_key, "system").id)
        except Exception:
            log.exception("overdue reminder %s could not start", business_key)
    return started


def run_if_due(now: datetime | None = None) -> int:
    """The scheduler's entry: one batch when ``supervision_batch_seconds`` have passed since the last."""
    settings = context.settings()
    now = now or utcnow()
    with db.session() as session:
        last = session.scalar(select(func.max(SupervisionCheck.started_at)))
    if last is not None and now - _aware(last) < timedelta(seconds=settings.supervision_batch_seconds):
        return 0
    return len(start_batch(now)) + len(start_overdue(now))


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
