"""Appending to the audit trail: one keyed hash chain per subject, its head in a locked row.

The first event a transaction records for a subject upserts that subject's
``audit_chain_head`` row (``INSERT … ON CONFLICT DO UPDATE … RETURNING``): one round trip that
both reads the head and locks it until commit, so a second writer of the same subject waits
and then continues from the first one's last event — the chain cannot fork, whatever lock the
caller holds. Later events of the subject in the same transaction use the head cached in the
session; the new head is written once, just before commit.
"""

from __future__ import annotations

import json

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.audit.keys import current_key, event_hash
from app.db import utcnow
from app.models import AuditChainHead, AuditEvent

HEADS = AuditChainHead.__table__
#: session.info key: {(subject_type, subject_id): [head hash, count, dirty]}
_CACHE = "audit_chain"


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict | None = None,
    instance_id: str | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (committed with it).

    Its hash is an HMAC (key ``HOUSING_AUDIT_KEY``) over its content, its position in the
    subject's chain and the previous event's hash; see :mod:`app.audit.verify`.
    """
    subject_id = str(subject_id)
    heads = _heads(session)
    key = (subject_type, subject_id)
    head = heads.get(key)
    if head is None:
        head = heads[key] = [*_lock_head(session, subject_type, subject_id), False]
    audit_key = current_key()
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        instance_id=instance_id,
        # stored exactly as hashed: what JSON cannot hold is turned into text first
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
        seq=head[1] + 1,
        key_id=audit_key.key_id,
        prev_hash=head[0],
    )
    event.hash = event_hash(audit_key, event)
    head[0], head[1], head[2] = event.hash, event.seq, True
    session.add(event)
    return event


def _lock_head(session: Session, subject_type: str, subject_id: str) -> tuple[str, int]:
    """Read the subject's head and lock its row for the rest of the transaction."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = insert(HEADS).values(subject_type=subject_type, subject_id=subject_id, head_hash="", count=0)
    stmt = stmt.on_conflict_do_update(
        index_elements=[HEADS.c.subject_type, HEADS.c.subject_id],
        set_={"head_hash": HEADS.c.head_hash},  # a no-op update: it takes the row lock
    ).returning(HEADS.c.head_hash, HEADS.c.count)
    head_hash, count = session.execute(stmt).one()
    return head_hash, count


def _heads(session: Session) -> dict:
    """The heads this session's transaction holds; hooks write them back once, before commit."""
    heads = session.info.get(_CACHE)
    if heads is None:
        heads = session.info[_CACHE] = {}
        if not session.info.get("audit_hooks"):
            session.info["audit_hooks"] = True
            sa_event.listen(session, "before_commit", _write_heads)
            sa_event.listen(session, "after_commit", _forget)
            sa_event.listen(session, "after_rollback", _forget)
    return heads


def _write_heads(session: Session) -> None:
    for (subject_type, subject_id), head in (session.info.get(_CACHE) or {}).items():
        if head[2]:
            session.execute(update(HEADS).where(HEADS.c.subject_type == subject_type,
                                                HEADS.c.subject_id == subject_id)
                            .values(head_hash=head[0], count=head[1]))
            head[2] = False


def _forget(session: Session) -> None:
    """Locks end with the transaction: the next one reads the heads again."""
    session.info.pop(_CACHE, None)
