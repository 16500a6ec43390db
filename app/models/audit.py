"""The append-only audit trail, hash-chained per subject."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class AuditEvent(Base):
    """Who did what to which subject, when. Never updated or deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(255))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    details: Mapped[dict] = mapped_column(default=dict)
    #: hash of the previous event of the same subject ("" for the first)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_audit_subject", AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.id)
Index("ix_audit_instance", AuditEvent.instance_id, AuditEvent.id)
