"""The append-only audit trail: keyed hash chains per subject, their heads, checkpoints, checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
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
    #: position in the subject's chain, 1 for the first event
    seq: Mapped[int] = mapped_column(default=0)
    #: fingerprint of the key that made ``hash`` ("" for events from before the chain was keyed)
    key_id: Mapped[str] = mapped_column(String(16), default="")
    #: hash of the previous event of the same subject ("" for the first)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_audit_subject", AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.id)
Index("ix_audit_instance", AuditEvent.instance_id, AuditEvent.id)
Index("ix_audit_subject_seq", AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.seq, unique=True)


class AuditChainHead(Base):
    """The newest hash and the length of one subject's chain.

    Writers of a subject lock this row for the rest of their transaction, so two transactions
    can never both extend the chain from the same event.
    """

    __tablename__ = "audit_chain_head"

    subject_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    head_hash: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(default=0)


class AuditCheckpoint(Base):
    """A signed Merkle root over every chain head, taken periodically. Never updated or deleted."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    subjects: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    root: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(64))
    #: zlib-compressed JSON list of [subject_type, subject_id, head_hash, count], sorted
    leaves: Mapped[bytes] = mapped_column(LargeBinary)


class AuditVerification(Base):
    """The outcome of one verification run (CLI or scheduled)."""

    __tablename__ = "audit_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: full | since
    scope: Mapped[str] = mapped_column(String(16), default="full")
    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    ok: Mapped[bool] = mapped_column(default=True)
    subjects: Mapped[int] = mapped_column(default=0)
    events: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    checkpoint_id: Mapped[int | None]
    #: up to 100 breaks: {subject_type, subject_id, event_id, seq, problem, message}
    breaks: Mapped[list] = mapped_column(default=list)
    summary: Mapped[str] = mapped_column(Text, default="")


Index("ix_audit_verification_started", AuditVerification.started_at)
