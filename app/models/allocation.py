"""轮候 and 配租: the waiting list, allocation rounds (lottery or selection) and the offers made.

The queue order is ``(round_penalty, -score, registered_at, application_no)``: a household that
declined too many offers goes to the back by a higher ``round_penalty``, keeping its score.
A lottery round stores the SHA-256 of its seed before the draw and the seed itself after, so
anyone can re-run the draw (``handlers/lottery.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class WaitingListEntry(Base):
    """One approved household waiting for a unit."""

    __tablename__ = "waiting_list_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    application_no: Mapped[str] = mapped_column(String(32), unique=True)
    housing_type: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(64))
    household_size: Mapped[int] = mapped_column(default=1)
    score: Mapped[float] = mapped_column(default=0.0)
    priority_groups: Mapped[list] = mapped_column(default=list)
    #: waiting | offered | housed | removed
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    declines: Mapped[int] = mapped_column(default=0)
    #: 0 normally; +1 each time too many declines send the household to the back
    round_penalty: Mapped[int] = mapped_column(default=0)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AllocationRound(Base):
    """One 摇号 (lottery) or 选房 (selection in rank order) round over a set of units."""

    __tablename__ = "allocation_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_no: Mapped[str] = mapped_column(String(32), unique=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    housing_type: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(64))
    #: lottery | selection
    method: Mapped[str] = mapped_column(String(16))
    #: [{code, address, area, rent}] offered in this round
    units: Mapped[list] = mapped_column(default=list)
    #: SHA-256 hex of the seed, published before the draw
    seed_hash: Mapped[str] = mapped_column(String(64), default="")
    #: when the seed hash was committed and published (lottery rounds)
    seed_hash_published_at: Mapped[datetime | None]
    #: the draw algorithm's published name (``handlers.lottery.ALGORITHM``); empty for 选房
    algorithm: Mapped[str] = mapped_column(String(32), default="")
    #: the seed, revealed after the draw
    seed: Mapped[str | None] = mapped_column(String(128))
    #: the application numbers taking part, in their canonical (sorted) order
    participants: Mapped[list] = mapped_column(default=list)
    #: the drawn (or ranked) order of application numbers
    result: Mapped[list] = mapped_column(default=list)
    #: committed | drawn | closed
    status: Mapped[str] = mapped_column(String(16), default="committed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_at: Mapped[datetime | None]


class Offer(Base):
    """A unit offered to one household in a round."""

    __tablename__ = "allocation_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("allocation_round.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    application_no: Mapped[str] = mapped_column(String(32), index=True)
    rank: Mapped[int] = mapped_column(default=0)
    unit_code: Mapped[str] = mapped_column(String(32))
    unit_address: Mapped[str] = mapped_column(String(200), default="")
    unit_area: Mapped[float] = mapped_column(default=0.0)
    monthly_rent: Mapped[float] = mapped_column(default=0.0)
    #: offered | accepted | declined | expired
    status: Mapped[str] = mapped_column(String(16), default="offered")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]


Index("ix_waiting_queue", WaitingListEntry.housing_type, WaitingListEntry.district, WaitingListEntry.status,
      WaitingListEntry.round_penalty, WaitingListEntry.score)
