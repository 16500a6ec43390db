"""The business case of an application: the case itself, its household and what the sources said.

Handlers write these rows as the diagrams run (``case/register``, ``verification/merge`` …), so
pages read a case without loading a workflow. ID numbers are stored whole (the statutory
duty needs them); pages show them masked unless the role needs the whole number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow

#: Milestones a case passes; the live step label is ``current_step`` (see docs/case-data.md).
CASE_STATUSES = ("submitted", "supplement_requested", "verifying", "in_review", "in_publication", "waiting",
                 "offered", "leased", "rejected", "withdrawn", "exited")


class Application(Base):
    """One application for 公租房 or 保租房, from submission to lease or rejection."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_no: Mapped[str] = mapped_column(String(32), unique=True)
    #: gongzufang | baozufang
    housing_type: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(64), index=True)
    #: the application process instance
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    applicant_username: Mapped[str] = mapped_column(String(64), index=True)
    applicant_name: Mapped[str] = mapped_column(String(64))
    applicant_name_masked: Mapped[str] = mapped_column(String(64))
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_phone: Mapped[str] = mapped_column(String(20), default="")
    #: single | nuclear | multi_generation
    household_type: Mapped[str] = mapped_column(String(24))
    household_size: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(24), default="submitted")  # ix_application_status_district leads with it
    current_step: Mapped[str] = mapped_column(String(64), default="受理")
    eligible: Mapped[bool | None]
    priority_score: Mapped[float | None]
    suggested_opinion: Mapped[str] = mapped_column(Text, default="")
    #: what the applicant declared besides the members: income, assets, housing, documents
    declared: Mapped[dict] = mapped_column(default=dict)
    #: {status, reason_code, reason_text, step} once the case is decided
    outcome: Mapped[dict] = mapped_column(default=dict)
    #: the open 补正 request while waiting for the applicant: {count, items, note, deadline}
    supplement: Mapped[dict] = mapped_column(default=dict)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="application", order_by="HouseholdMember.position", cascade="all, delete-orphan")


class HouseholdMember(Base):
    """One declared member of the household (the applicant is position 0)."""

    __tablename__ = "household_member"
    __table_args__ = (UniqueConstraint("application_id", "id_number", name="uq_member_application_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed by the unique key, which leads with it
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18))
    #: applicant | spouse | child | parent | co_applicant | other
    relation: Mapped[str] = mapped_column(String(16))
    declared_monthly_income: Mapped[float] = mapped_column(default=0.0)
    employer: Mapped[str] = mapped_column(String(128), default="")

    application: Mapped[Application] = relationship(back_populates="members")


class VerificationResult(Base):
    """What one data source said about one member (or what a reviewer found by hand)."""

    __tablename__ = "verification_result"
    __table_args__ = (
        UniqueConstraint("application_id", "source", "id_number", name="uq_verification_member_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed by the unique key, which leads with it
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18))
    member_name: Mapped[str] = mapped_column(String(64))
    relation: Mapped[str] = mapped_column(String(16))
    found: Mapped[bool] = mapped_column(default=False)
    #: pass | fail | info (from the source or the reviewer) | unavailable (waiting for a reviewer)
    verdict: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[dict] = mapped_column(default=dict)
    #: the raw answers for this member, ID numbers and phones masked
    evidence: Mapped[list] = mapped_column(default=list)
    #: automatic | manual
    method: Mapped[str] = mapped_column(String(16), default="automatic")
    error_code: Mapped[str | None] = mapped_column(String(64))
    checked_by: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


#: statuses of a case that is over: its ID numbers are free for a new application
CLOSED_STATUSES = ("rejected", "withdrawn", "exited")


class HouseholdClaim(Base):
    """An ID number held by an open application of one housing type (at most one at a time).

    Written with the case and its household, released when the case closes (rejected,
    withdrawn, exited); the unique constraint makes two submissions at once end with one case.
    """

    __tablename__ = "household_claim"
    __table_args__ = (UniqueConstraint("housing_type", "id_number", name="uq_household_claim_type_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    housing_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(18))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    application_no: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseCounter(Base):
    """The last application number given out per prefix (``GZF2026``)."""

    __tablename__ = "case_counter"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


Index("ix_application_status_district", Application.status, Application.district)
