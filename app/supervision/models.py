"""One supervision check (动态监管核查) of one lease: the facts found, the warnings, the decision.

The facts of the latest check are what the next one compares with; the first check compares
with the verification of the application. A check with warnings waits for an officer's decision
(dismiss with a reason, a rectification notice, or the exit flow).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class SupervisionCheck(Base):
    """A periodic re-check of a tenant household and its unit."""

    __tablename__ = "supervision_check"
    __table_args__ = (UniqueConstraint("lease_id", "period", name="uq_supervision_lease_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("lease.id", ondelete="CASCADE"), index=True)
    lease_no: Mapped[str] = mapped_column(String(32), index=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    #: the day the run started it (``YYYY-MM-DD``): one check per lease and day at most
    period: Mapped[str] = mapped_column(String(10))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: checking | clear | warned | dismissed | rectifying | exit
    status: Mapped[str] = mapped_column(String(16), default="checking", index=True)
    #: the household facts found (as the eligibility tables read them)
    facts: Mapped[dict] = mapped_column(default=dict)
    #: the unit's utilities reading (months, vacancy run, pattern change, account holder)
    usage: Mapped[dict] = mapped_column(default=dict)
    #: [{rule, level, ground, reason, evidence}]
    warnings: Mapped[list] = mapped_column(default=list)
    #: dismiss | rectify | exit, with the officer's reason
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    #: the rectification notice (整改通知) the tenant reads on the portal: {items, deadline}
    notice: Mapped[dict] = mapped_column(default=dict)
    decided_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    checked_at: Mapped[datetime | None]
