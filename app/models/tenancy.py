"""The tenancy after allocation: the lease, its yearly reviews and the exit.

Each is driven by its own process instance (``lease``, ``annual_review``, ``exit``), linked
here to the lease; years of reviews never grow one workflow.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class Lease(Base):
    """A lease contract for one unit and one household."""

    __tablename__ = "lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_no: Mapped[str] = mapped_column(String(32), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    application_no: Mapped[str] = mapped_column(String(32), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    housing_type: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(32))
    unit_address: Mapped[str] = mapped_column(String(200), default="")
    unit_area: Mapped[float] = mapped_column(default=0.0)
    monthly_rent: Mapped[float] = mapped_column(default=0.0)
    deposit: Mapped[float] = mapped_column(default=0.0)
    #: subsidised | market (after an annual review found the household over the line)
    rent_basis: Mapped[str] = mapped_column(String(16), default="subsidised")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: [{due_on, amount, kind}] deposit and monthly rent
    schedule: Mapped[list] = mapped_column(default=list)
    contract_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    contract_sha256: Mapped[str] = mapped_column(String(64), default="")
    #: the text the contract PDF prints, shown on the signing page for reading on any screen
    contract_text: Mapped[str] = mapped_column(Text, default="")
    #: drafted | signed | active | ended
    status: Mapped[str] = mapped_column(String(16), default="drafted", index=True)
    signed_at: Mapped[datetime | None]
    #: the tenant of record who signed, the PAdES-signed PDF and its SHA-256 (app.contracts)
    signer_name: Mapped[str] = mapped_column(String(64), default="")
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_sha256: Mapped[str] = mapped_column(String(64), default="")
    moved_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class SigningCode(Base):
    """A one-time SMS code for signing one lease: only its hash is kept, with an expiry and a try count."""

    __tablename__ = "signing_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_no: Mapped[str] = mapped_column(String(32), index=True)
    username: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnualReview(Base):
    """The yearly eligibility review (年审) of one lease."""

    __tablename__ = "annual_review"
    __table_args__ = (UniqueConstraint("lease_id", "year", name="uq_review_lease_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("lease.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: started | renewed | market_rent | exit
    status: Mapped[str] = mapped_column(String(16), default="started")
    eligible: Mapped[bool | None]
    #: the failing rules, if any: [{rule, reason_code, reason}]
    findings: Mapped[list] = mapped_column(default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class TenancyExit(Base):
    """A household leaving its unit: voluntarily or for a ground the rules name."""

    __tablename__ = "tenancy_exit"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("lease.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    #: voluntary | forced
    kind: Mapped[str] = mapped_column(String(16))
    #: voluntary | fraud | sublet | arrears | vacancy | ineligible
    ground: Mapped[str] = mapped_column(String(16))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    moving_deadline: Mapped[date | None]
    returned_at: Mapped[datetime | None]
    deposit_refund: Mapped[float | None]
    #: [{item, amount}] kept from the deposit
    deductions: Mapped[list] = mapped_column(default=list)
    #: moving | returned | settled
    status: Mapped[str] = mapped_column(String(16), default="moving")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
