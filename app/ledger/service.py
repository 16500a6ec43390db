"""Ledger use cases: a lease's bills and payments for the tenant and the staff, payments
entered at the counter and bank files imported. Each function owns its transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit import chain as audit
from app.auth.identity import Identity
from app.db import db
from app.l10n import Message
from app.ledger import bills as b
from app.ledger.models import LedgerPayment
from app.models import Application, Lease, TenancyExit
from app.services.case_service import can_view, in_district
from app.services.errors import Forbidden, NotFound, ValidationFailed

#: who records payments and imports bank files (besides admins)
STAFF_GROUPS = ("allocation_officer",)
MAX_AMOUNT = Decimal("1000000")
STAFF_METHODS = ("counter", "transfer")


class LedgerNotFound(NotFound):
    code = "ledger_not_found"


def is_ledger_staff(identity: Identity) -> bool:
    """Admins and allocation officers keep the ledgers."""
    return identity.is_admin or any(g in identity.groups for g in STAFF_GROUPS)


def _lease(session: Session, identity: Identity, lease_no: str, lock: bool = False) -> tuple[Lease, Application]:
    query = select(Lease).where(Lease.lease_no == lease_no)
    lease = session.scalar(query.with_for_update() if lock and not db.is_sqlite else query)
    case = session.get(Application, lease.application_id) if lease else None
    if lease is None or case is None or not can_view(identity, case):
        raise LedgerNotFound(Message("lease.not_found", no=lease_no))
    return lease, case


def _bill(bill) -> dict:
    owed = b.money(bill.amount) - b.money(bill.paid_amount)
    overdue = bill.kind == "rent" and bill.status in ("unpaid", "partial") and bill.due_on < b.today()
    return {"id": bill.id, "kind": bill.kind, "kind_name": b.BILL_KIND.get(bill.kind, bill.kind),
            "period": bill.period, "due_on": bill.due_on.isoformat(), "amount": float(bill.amount),
            "paid_amount": float(bill.paid_amount), "owed": float(owed), "status": bill.status,
            "status_name": "逾期未缴" if overdue and bill.status == "unpaid"
            else b.BILL_STATUS.get(bill.status, bill.status),
            "overdue": overdue, "paid_on": bill.paid_on.isoformat() if bill.paid_on else None,
            "reminders": bill.reminders}


def _payment(payment: LedgerPayment) -> dict:
    return {"id": payment.id, "amount": float(payment.amount), "paid_on": payment.paid_on.isoformat(),
            "method": payment.method, "method_name": b.METHOD_NAMES.get(payment.method, payment.method),
            "reference": payment.reference, "note": payment.note}


def _view(session: Session, lease: Lease, case: Application, staff: bool) -> dict:
    if lease.status in ("active", "ended") and b.sync_bills(session, lease):
        b.apply_payments(session, lease.id)
    owing = b.arrears(session, lease.id)
    settled = session.scalar(select(TenancyExit).where(TenancyExit.lease_id == lease.id,
                                                       TenancyExit.status == "settled").limit(1))
    payments = [_payment(p) for p in b.payments_of(session, lease.id)]
    if not staff:
        for p in payments:
            p.pop("note")
    out = {"lease_no": lease.lease_no, "application_no": lease.application_no, "applicant_name": case.applicant_name,
           "unit_address": lease.unit_address, "monthly_rent": lease.monthly_rent, "deposit": lease.deposit,
           "status": lease.status, "district": case.district,
           "deposit_held": float(b.deposit_held(session, lease.id)),
           "deposit_refund": settled.deposit_refund if settled else None,
           "arrears_months": owing.months, "arrears_amount": float(owing.amount),
           "bills": [_bill(x) for x in b.bills_of(session, lease.id)],
           "payments": payments}
    return out


def lease_ledger(identity: Identity, lease_no: str) -> dict:
    """One lease's bills (generated from its schedule on first sight), payments and arrears."""
    with db.transaction() as session:
        lease, case = _lease(session, identity, lease_no)
        return _view(session, lease, case, is_ledger_staff(identity) or identity.is_staff)


def my_ledgers(identity: Identity) -> list[dict]:
    """The tenant's ledgers, newest lease first."""
    with db.transaction() as session:
        rows = session.execute(select(Lease, Application).join(Application, Application.id == Lease.application_id)
                               .where(Application.applicant_username == identity.username,
                                      Lease.status.in_(("active", "ended")))
                               .order_by(Lease.created_at.desc())).all()
        return [_view(session, lease, case, False) for lease, case in rows]


def ledgers_in_scope(identity: Identity, arrears_only: bool = False) -> list[dict]:
    """Active leases the staff member may see, with their arrears, most months owed first."""
    if not (is_ledger_staff(identity) or identity.is_staff):
        raise Forbidden("租金台账仅供工作人员查看")
    out = []
    with db.transaction() as session:
        rows = session.execute(select(Lease, Application).join(Application, Application.id == Lease.application_id)
                               .where(Lease.status == "active").order_by(Lease.lease_no)).all()
        for lease, case in rows:
            if not (identity.is_admin or in_district(identity, case.district)):
                continue
            if b.sync_bills(session, lease):
                b.apply_payments(session, lease.id)
            owing = b.arrears(session, lease.id)
            if arrears_only and not owing.months:
                continue
            out.append({"lease_no": lease.lease_no, "applicant_name": case.applicant_name, "district": case.district,
                        "unit_address": lease.unit_address, "monthly_rent": lease.monthly_rent,
                        "arrears_months": owing.months, "arrears_amount": float(owing.amount)})
    return sorted(out, key=lambda r: (-r["arrears_months"], r["lease_no"]))


def parse_amount(raw) -> Decimal | None:
    """A positive amount of yuan with at most two decimals, or None."""
    try:
        value = Decimal(str(raw).replace(",", "").replace("，", "").replace("元", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def parse_day(raw) -> date | None:
    """A date written 2026-12-05, 2026/12/05 or 20261205; None if it is none of these."""
    text = str(raw or "").strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


#: ``pg_advisory_xact_lock`` key taken by whoever books payments with a reference ("ledger")
REFERENCE_LOCK = 0x6C6564676572


def lock_references(session: Session) -> None:
    """Serialise bookings by reference in this transaction, so a reference checked absent stays
    absent until the commit (two imports of one file at once book each payment once)."""
    if not db.is_sqlite:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFERENCE_LOCK})


def add_payment(session: Session, actor: str, lease: Lease, amount: Decimal, paid_on: date, method: str,
                reference: str | None, note: str) -> LedgerPayment:
    """Store a payment, re-apply the lease's payments and audit it (in the caller's transaction)."""
    b.sync_bills(session, lease)
    payment = LedgerPayment(lease_id=lease.id, lease_no=lease.lease_no, amount=amount, paid_on=paid_on,
                            method=method, reference=reference or None, note=note[:200], recorded_by=actor)
    session.add(payment)
    session.flush()
    b.apply_payments(session, lease.id)
    audit.record(session, actor, "ledger.payment_recorded", "lease", lease.lease_no,
                 {"amount": str(amount), "paid_on": paid_on.isoformat(), "method": method,
                  "reference": reference or ""}, instance_id=lease.instance_id)
    return payment


def record_payment(identity: Identity, lease_no: str, data: dict) -> dict:
    """A payment taken at the counter or seen on the account, entered by staff."""
    if not is_ledger_staff(identity):
        raise Forbidden("只有配租管理人员可以登记缴费")
    errors: dict[str, list[str]] = {}
    amount = parse_amount(data.get("amount"))
    if amount is None:
        errors["amount"] = ["请填写大于0、最多两位小数的金额（元）"]
    paid_on = parse_day(data.get("paid_on"))
    if paid_on is None:
        errors["paid_on"] = ["请填写缴费日期，如 2026-12-05"]
    elif paid_on > b.today():
        errors["paid_on"] = ["缴费日期不能晚于今天"]
    method = data.get("method") or "counter"
    if method not in STAFF_METHODS:
        errors["method"] = ["缴费方式只能是窗口缴纳或银行转账"]
    reference = str(data.get("reference") or "").strip()
    if len(reference) > 64:
        errors["reference"] = ["交易流水号不能超过64个字符"]
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        errors["note"] = ["备注不能超过200个字"]
    if errors:
        raise ValidationFailed("缴费信息不完整或有误", errors)
    with db.transaction() as session:
        lock_references(session)
        lease, case = _lease(session, identity, lease_no, lock=True)
        if lease.status not in ("active", "ended"):
            raise ValidationFailed("租约尚未入住，不能登记缴费", {"lease_no": ["租约尚未入住"]})
        if reference and session.scalar(select(LedgerPayment.id).where(LedgerPayment.reference == reference)):
            taken = Message("ledger.reference_taken", reference=reference)
            raise ValidationFailed("该交易流水号已登记过", {"reference": [taken]})
        assert amount is not None and paid_on is not None
        add_payment(session, identity.username, lease, amount, paid_on, method, reference, note)
        return _view(session, lease, case, True)
