"""The ledger's scheduled work, run from the scheduler's sweep (``Periodic("ledger", …)``).

* bills: every active lease's schedule becomes bills (a renewal adds months);
* reminders: an SMS (``sms/send``, template ``RENT_OVERDUE``) to each tenant with overdue rent,
  at most once per bill in ``HOUSING_RENT_REMINDER_DAYS`` days;
* arrears: a lease whose unpaid months reach the limit of the deployed ``exit_grounds`` table
  (the ``arrears`` ground) gets an ``exit`` instance with that ground prefilled, which waits for
  an officer's decision (``decide_exit``) — the sweep never evicts anyone.

Each step is safe to run twice or in two schedulers at once: bill rows are unique per lease,
kind and due day; reminder rows are claimed with ``FOR UPDATE SKIP LOCKED``; an exit instance
has one business key per arrears episode (its oldest unpaid month).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from app.audit import chain as audit
from app.db import db, utcnow
from app.engine.dmn import parse_decisions
from app.engine.operators import OperatorContext, OperatorError, registry
from app.ledger import bills as b
from app.ledger.models import LedgerBill
from app.models import Application, Lease, ProcessDefinition, ProcessInstance
from app.services import context

log = logging.getLogger(__name__)
SMS_TEMPLATE = "RENT_OVERDUE"
EXIT_DECISION = "exit_grounds"


def run(now: datetime | None = None) -> dict:
    """One pass of everything the ledger does on its own."""
    now = now or utcnow()
    return {"bills": sync_all(), "reminded": send_reminders(now), "exits": start_arrears_exits()}


def sync_all() -> int:
    """Bills for every active lease's schedule."""
    added = 0
    with db.transaction() as session:
        for lease in session.scalars(select(Lease).where(Lease.status == "active")):
            if b.sync_bills(session, lease):
                b.apply_payments(session, lease.id)
                added += 1
    return added


def send_reminders(now: datetime | None = None) -> list[str]:
    """One SMS per lease with overdue rent bills not reminded in the last N days."""
    now = now or utcnow()
    days = getattr(context.settings(), "rent_reminder_days", 7)
    with db.session() as session:
        leases = list(session.scalars(
            select(LedgerBill.lease_id).join(Lease, Lease.id == LedgerBill.lease_id)
            .where(Lease.status == "active", LedgerBill.kind == "rent", LedgerBill.status.in_(("unpaid", "partial")),
                   LedgerBill.due_on < b.today()).distinct()))
    sent = []
    for lease_id in leases:
        if _remind(lease_id, now, days):
            sent.append(str(lease_id))
    return sent


def _remind(lease_id: int, now: datetime, days: int) -> bool:
    with db.transaction() as session:
        query = (select(LedgerBill).where(LedgerBill.lease_id == lease_id, LedgerBill.kind == "rent",
                                          LedgerBill.status.in_(("unpaid", "partial")), LedgerBill.due_on < b.today())
                 .where((LedgerBill.last_reminded_at.is_(None)) |
                        (LedgerBill.last_reminded_at <= now - timedelta(days=days))))
        due = list(session.scalars(query.with_for_update(skip_locked=True) if not db.is_sqlite else query))
        if not due:
            return False
        lease = session.get(Lease, lease_id)
        case = session.get(Application, lease.application_id) if lease else None
        if lease is None or case is None or not case.applicant_phone:
            return False
        owing = b.arrears(session, lease_id)
        ctx = OperatorContext(idempotency_key=f"rent-reminder-{lease.lease_no}-{uuid.uuid4().hex}",
                              instance_id=lease.instance_id or "", business_key=lease.lease_no,
                              settings=context.settings())
        try:
            registry.get("sms/send").func({"phone": case.applicant_phone, "template": SMS_TEMPLATE,
                                           "params": {"lease_no": lease.lease_no, "months": str(owing.months),
                                                      "amount": f"{owing.amount:.2f}"}}, ctx)
        except OperatorError as exc:  # nothing marked: the next sweep tries again
            log.warning("rent reminder for %s not sent: %s", lease.lease_no, exc)
            session.rollback()
            return False
        for bill in due:
            bill.last_reminded_at, bill.reminders = now, bill.reminders + 1
        audit.record(session, "system", "ledger.reminder_sent", "lease", lease.lease_no,
                     {"bills": [x.period for x in due], "months": owing.months, "amount": str(owing.amount)},
                     instance_id=lease.instance_id)
        return True


def _exit_table():
    """The newest deployed ``exit_grounds`` table, or None when none is deployed."""
    with db.session() as session:
        definition = session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.key == EXIT_DECISION, ProcessDefinition.kind == "decision")
            .order_by(ProcessDefinition.version.desc()).limit(1)).first()
        if definition is None:
            return None
        return parse_decisions(bytes(definition.file.content), definition.file.file_name).get(EXIT_DECISION)


def arrears_ground(table, months: int) -> dict | None:
    """The table's answer for a forced exit on the arrears ground with ``months`` unpaid, if it allows one."""
    from app.engine.bounded import BoundedSandbox, Limits
    from app.engine.script_functions import SCRIPT_FUNCTIONS

    sandbox = BoundedSandbox(Limits.from_settings(context.settings()), SCRIPT_FUNCTIONS)
    facts = {"kind": "forced", "ground": "arrears", "facts": {"arrears_months": months, "vacancy_months": 0}}
    outputs = sandbox.decide(table.table, facts)["outputs"]
    return outputs if outputs.get("exit_allowed") else None


def start_arrears_exits() -> list[str]:
    """An ``exit`` instance (ground ``arrears``, for an officer to decide) for each lease at the limit."""
    from app.services import instance_service

    table = _exit_table()
    if table is None:
        return []
    candidates = []
    with db.session() as session:
        for active in session.scalars(select(Lease).where(Lease.status == "active")):
            owing = b.arrears(session, active.id)
            if owing.months and owing.oldest:
                candidates.append((active.id, owing))
    started = []
    for lease_id, owing in candidates:
        if arrears_ground(table, owing.months) is None:
            continue
        with db.session() as session:
            lease = session.get(Lease, lease_id)
            case = session.get(Application, lease.application_id) if lease else None
            if lease is None or case is None:
                continue
            key = f"{lease.lease_no}-exit-arrears-{owing.oldest:%Y%m}"
            running = session.scalar(select(ProcessInstance.id).where(
                ProcessInstance.process_key == "exit", ProcessInstance.business_key.like(f"{lease.lease_no}-exit%"),
                (ProcessInstance.status == "running") | (ProcessInstance.business_key == key)).limit(1))
            if running:
                continue
            reason = f"截至{b.today():%Y年%m月%d日}累计欠缴租金{owing.months}个月，共{owing.amount:.2f}元（据租金台账）"
            data = {"lease_no": lease.lease_no, "application_no": case.application_no, "district": case.district,
                    "housing_type": case.housing_type, "title": f"欠租退出 {lease.lease_no}", "step": "退出",
                    "applicant_name": case.applicant_name, "kind": "forced", "ground": "arrears",
                    "reason_text": reason, "applicant": {"phone": case.applicant_phone},
                    "exit_facts": {"arrears_months": owing.months, "vacancy_months": 0,
                                   "arrears_amount": float(owing.amount), "source": "ledger",
                                   "decision_required": True}}
        instance = instance_service.start_instance("exit", data, key, "system")
        with db.transaction() as session:
            audit.record(session, "system", "ledger.arrears_exit_started", "lease", str(data["lease_no"]),
                         {"months": owing.months, "amount": str(owing.amount), "business_key": key},
                         instance_id=instance.id)
        started.append(key)
    return started
