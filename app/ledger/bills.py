"""Bills from the lease schedule, payments applied oldest bill first, and arrears in months.

Everything here works inside the caller's session: the use cases (:mod:`app.ledger.service`),
the scheduled sweeps (:mod:`app.ledger.sweeps`) and the exit handler share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine import workdays
from app.ledger.models import LedgerBill, LedgerPayment
from app.models import Lease

ZERO = Decimal("0.00")
#: what the tenant and the staff read for each bill status
BILL_STATUS = {"unpaid": "未缴", "partial": "部分缴纳", "paid": "已缴清", "offset": "押金抵扣", "cancelled": "已取消"}
BILL_KIND = {"deposit": "押金", "rent": "租金"}
METHOD_NAMES = {"counter": "窗口缴纳", "transfer": "银行转账", "bank": "银行代扣导入", "deposit_offset": "押金抵扣"}


def today() -> date:
    """Today in China."""
    return workdays.now_utc().astimezone(workdays.CHINA_TZ).date()


def money(value) -> Decimal:
    """A money amount with two decimals."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def has_ledger(session: Session, lease_id: int) -> bool:
    """True once bills were generated for the lease."""
    return session.scalar(select(LedgerBill.id).where(LedgerBill.lease_id == lease_id).limit(1)) is not None


def sync_bills(session: Session, lease: Lease) -> int:
    """Create the bills of the lease's schedule that do not exist yet (a renewal adds months)."""
    have = {(k, d) for k, d in session.execute(select(LedgerBill.kind, LedgerBill.due_on)
                                               .where(LedgerBill.lease_id == lease.id))}
    added = 0
    for item in lease.schedule or []:
        due = date.fromisoformat(item["due_on"])
        kind = item.get("kind") or "rent"
        if (kind, due) in have or not item.get("amount"):
            continue
        session.add(LedgerBill(lease_id=lease.id, lease_no=lease.lease_no, kind=kind, period=due.strftime("%Y-%m"),
                               due_on=due, amount=money(item["amount"]), paid_amount=ZERO, status="unpaid",
                               reminders=0))
        have.add((kind, due))
        added += 1
    if added:
        session.flush()
    return added


def bills_of(session: Session, lease_id: int) -> list[LedgerBill]:
    """The lease's bills, oldest first (the deposit before the rent due the same day)."""
    return list(session.scalars(select(LedgerBill).where(LedgerBill.lease_id == lease_id)
                                .order_by(LedgerBill.due_on, LedgerBill.kind, LedgerBill.id)))


def payments_of(session: Session, lease_id: int) -> list[LedgerPayment]:
    """The lease's payments, oldest first."""
    return list(session.scalars(select(LedgerPayment).where(LedgerPayment.lease_id == lease_id)
                                .order_by(LedgerPayment.paid_on, LedgerPayment.id)))


def apply_payments(session: Session, lease_id: int) -> None:
    """Recompute what each bill has received: money paid goes to the oldest bill first; a deposit
    offset (at exit) only to rent. Cancelled bills take nothing."""
    bills = [b for b in bills_of(session, lease_id) if b.status != "cancelled"]
    payments = payments_of(session, lease_id)
    for bill in bills:
        bill.paid_amount, bill.paid_on = ZERO, None
    offset_ids: set[int] = set()
    for offset in (False, True):
        targets = [b for b in bills if not offset or b.kind == "rent"]
        for payment in (p for p in payments if (p.method == "deposit_offset") == offset):
            left = money(payment.amount)
            for bill in targets:
                if left <= 0:
                    break
                take = min(left, money(bill.amount) - money(bill.paid_amount))
                if take > 0:
                    bill.paid_amount = money(bill.paid_amount) + take
                    bill.paid_on = payment.paid_on
                    left -= take
                    if offset:
                        offset_ids.add(bill.id)
    for bill in bills:
        if money(bill.paid_amount) >= money(bill.amount):
            bill.status = "offset" if bill.id in offset_ids else "paid"
        else:
            bill.status = "partial" if bill.paid_amount > 0 else "unpaid"
    session.flush()


@dataclass(frozen=True)
class Arrears:
    """Rent bills past due and not fully paid: how many months and how much is owed."""

    months: int
    amount: Decimal
    oldest: date | None
    bill_ids: tuple[int, ...]


def arrears(session: Session, lease_id: int, on: date | None = None) -> Arrears:
    """The arrears of a lease on ``on`` (default today): rent bills due before it, not fully paid."""
    on = on or today()
    owing = [b for b in bills_of(session, lease_id)
             if b.kind == "rent" and b.due_on < on and b.status in ("unpaid", "partial")]
    return Arrears(months=len(owing), amount=sum((money(b.amount) - money(b.paid_amount) for b in owing), ZERO),
                   oldest=owing[0].due_on if owing else None, bill_ids=tuple(b.id for b in owing))


def deposit_held(session: Session, lease_id: int) -> Decimal:
    """What the tenant has paid of the deposit."""
    bills = [b for b in bills_of(session, lease_id) if b.kind == "deposit"]
    return sum((money(b.paid_amount) for b in bills), ZERO)
