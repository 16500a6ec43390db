"""Appending to the audit trail, hash-chained per subject."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.models import AuditEvent


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict | None = None,
    instance_id: str | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction.

    Each event's hash covers its content and the previous hash of the same subject, so a
    changed or deleted event breaks the chain (see :func:`verify_chain`). Writers of one
    subject are serialised by the instance row lock the caller holds.
    """
    chain = session.info.setdefault("audit_chain", {})
    key = (subject_type, str(subject_id))
    prev = chain.get(key)
    if prev is None:
        prev = session.scalar(
            select(AuditEvent.hash)
            .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        instance_id=instance_id,
        details=details or {},
        prev_hash=prev or "",
    )
    event.hash = _digest(event)
    chain[key] = event.hash
    session.add(event)
    return event


def _digest(event: AuditEvent) -> str:
    body = json.dumps(
        [event.at.isoformat(), event.actor, event.action, event.subject_type, event.subject_id,
         event.instance_id, event.details, event.prev_hash],
        sort_keys=True, ensure_ascii=False, default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def verify_chain(session: Session, subject_type: str, subject_id: str) -> bool:
    """True if the subject's events are unbroken and unaltered."""
    prev = ""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(AuditEvent.id)
    )
    for event in events:
        if event.prev_hash != prev or event.hash != _digest(event):
            return False
        prev = event.hash
    return True
