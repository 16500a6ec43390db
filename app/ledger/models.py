"""The rent ledger of a lease: its bills, the payments received and the reminders sent.

Bills are generated from the lease's ``schedule`` (deposit and monthly rent); payments are
applied to the oldest bill first, so what is owed is always recomputed from the two tables,
never kept as a running balance that could drift.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

MONEY = Numeric(12, 2)


class LedgerBill(Base):
    """One amount due: the deposit or one month's rent."""

    __tablename__ = "ledger_bill"
    __table_args__ = (UniqueConstraint("lease_id", "kind", "due_on", name="uq_ledger_bill_lease_kind_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("lease.id", ondelete="CASCADE"), index=True)
    lease_no: Mapped[str] = mapped_column(String(32), index=True)
    #: deposit | rent
    kind: Mapped[str] = mapped_column(String(16))
    #: the month the rent is for (YYYY-MM); the signing month for the deposit
    period: Mapped[str] = mapped_column(String(7))
    due_on: Mapped[date] = mapped_column(index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    #: what payments (oldest bill first) have covered so far
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: unpaid | partial | paid | offset (covered from the deposit at exit) | refunded / kept (deposit at exit)
    status: Mapped[str] = mapped_column(String(16), default="unpaid", index=True)
    paid_on: Mapped[date | None]
    last_reminded_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerPayment(Base):
    """Money received for a lease, entered by staff or imported from a bank file."""

    __tablename__ = "ledger_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("lease.id", ondelete="CASCADE"), index=True)
    lease_no: Mapped[str] = mapped_column(String(32), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date]
    #: counter | transfer | bank | deposit_offset
    method: Mapped[str] = mapped_column(String(16))
    #: the bank's transaction reference: one payment per reference, whatever is imported twice
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
