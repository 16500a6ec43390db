"""The deposit at exit: what the tenant paid of it, offset against the rent still owed.

Called by ``exit/settle`` in its transaction. A lease with a ledger is settled from the ledger
(the arrears typed into the return form are ignored): the rent bills due by today and unpaid are
the arrears; what of the deposit is left after damages covers them as a ``deposit_offset``
payment (one per lease, by reference); later bills are cancelled; the rest is refunded. A lease
without a ledger keeps the old rule (the deposit agreed, the arrears typed).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ledger import bills as b
from app.ledger.models import LedgerBill, LedgerPayment
from app.models import Lease


def settle_deposit(session: Session, lease: Lease, deductions: list[dict], typed_arrears: float) -> tuple[float, float]:
    """(deposit held, arrears to deduct) for the settlement; records the offset in the ledger.

    Safe to run twice (a job may): the offset is stored once, and the arrears are counted as they
    were before it.
    """
    if not b.has_ledger(session, lease.id):
        return float(lease.deposit), float(typed_arrears)
    today = b.today()
    b.sync_bills(session, lease)
    for bill in session.scalars(select(LedgerBill).where(LedgerBill.lease_id == lease.id, LedgerBill.kind == "rent",
                                                         LedgerBill.due_on > today,
                                                         LedgerBill.status.in_(("unpaid", "partial")))):
        bill.status = "cancelled"  # months after the unit came back are not owed
    b.apply_payments(session, lease.id)
    reference = f"DEPOSIT-OFFSET-{lease.lease_no}"
    earlier = session.scalar(select(LedgerPayment).where(LedgerPayment.reference == reference))
    owed = b.arrears(session, lease.id, on=today + timedelta(days=1)).amount
    if earlier is not None:
        return float(b.deposit_held(session, lease.id)), float(owed + b.money(earlier.amount))
    held = b.deposit_held(session, lease.id)
    damages = b.money(sum(d["amount"] for d in deductions))
    offset = min(owed, max(b.ZERO, held - damages))
    if offset > 0:
        session.add(LedgerPayment(lease_id=lease.id, lease_no=lease.lease_no, amount=offset, paid_on=today,
                                  method="deposit_offset", reference=reference, note="退出结算：押金抵扣欠缴租金",
                                  recorded_by="system"))
        session.flush()
        b.apply_payments(session, lease.id)
    return float(held), float(owed)
