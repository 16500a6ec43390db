"""Appending to the audit trail; the chain itself lives in :mod:`app.audit`.

Kept so that services write ``audit_service.record(session, …)`` as they always have.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.audit.chain import record
from app.audit.verify import verify_subject


def verify_chain(session: Session, subject_type: str, subject_id: str) -> bool:
    """True if the subject's events are unbroken, unaltered and agree with the chain head."""
    return not verify_subject(session, subject_type, str(subject_id))


__all__ = ["record", "verify_chain"]
