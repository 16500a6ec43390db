"""公示 publication lists, their de-identified entries, and the objections the public files.

A publication is one batch (housing type, district, start date) shown on the public page and
pushed to the publication platform. An entry never holds an ID number, phone or address: only
the masked name, the application number, the district and the household size.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class Publication(Base):
    """One published list (batch) with its period."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    housing_type: Mapped[str] = mapped_column(String(16))
    district: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: open | closed
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    #: the publication platform's id once pushed
    platform_id: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    entries: Mapped[list[PublicationEntry]] = relationship(
        back_populates="publication", order_by="PublicationEntry.id", cascade="all, delete-orphan")


class PublicationEntry(Base):
    """One case on a published list (de-identified)."""

    __tablename__ = "publication_entry"
    __table_args__ = (UniqueConstraint("publication_id", "application_no", name="uq_entry_publication_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    application_no: Mapped[str] = mapped_column(String(32), index=True)
    masked_name: Mapped[str] = mapped_column(String(64))
    district: Mapped[str] = mapped_column(String(64))
    housing_type: Mapped[str] = mapped_column(String(16))
    household_size: Mapped[int] = mapped_column(default=1)
    #: published | objected | passed | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="published")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    publication: Mapped[Publication] = relationship(back_populates="entries")


class Objection(Base):
    """A real-name objection (异议) to one published case, and how it was resolved."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    application_no: Mapped[str] = mapped_column(String(32), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("publication_entry.id", ondelete="SET NULL"))
    objector_name: Mapped[str] = mapped_column(String(64))
    objector_id_number: Mapped[str] = mapped_column(String(18))
    objector_phone: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    #: pending (waits for the case to take it) | investigating | upheld | dismissed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    finding: Mapped[str] = mapped_column(Text, default="")
    reason_code: Mapped[str] = mapped_column(String(64), default="")
    due_at: Mapped[datetime | None]
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))


Index("ix_objection_case_status", Objection.application_no, Objection.status)
Index("ix_publication_open_ends", Publication.status, Publication.ends_on)
