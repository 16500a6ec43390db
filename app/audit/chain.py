"""Appending to the audit trail: one keyed hash chain per subject, its head in a locked row.

``record`` only collects the event. When the transaction commits, the events are sealed: the
transaction's other changes are flushed first, then each subject's ``audit_chain_head`` row is
upserted (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) — one round trip that reads the head
and locks the row until commit — the events get their position, previous hash and HMAC, and
the new head is written back. A second writer of the same subject waits on that row and
continues from the first one's last event, so a chain cannot fork whatever lock the caller
holds. Heads are locked last and in sorted order, so they add no lock-order cycle to the
locks the transaction took before (instance, task rows …).

A transaction that read a subject's head already (an instance step reads it with the query
that locks the instance: :func:`note_head`) skips the upsert: it moves the head with one
``UPDATE … WHERE count = <read> AND head_hash = <read>``, which takes the same row lock and
changes nothing if another writer moved the head in between — then the events are chained
again onto the locked head as above. The events of a transaction are inserted in one statement.

A savepoint's release seals nothing (the transaction's commit seals every event once); a
savepoint rolled back drops the events recorded inside it and keeps the transaction's others.
"""

from __future__ import annotations

import json
from typing import cast

from sqlalchemy import CursorResult, Table, bindparam, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.audit.keys import AuditKey, current_key, event_hash
from app.db import utcnow
from app.models import AuditChainHead, AuditEvent

HEADS = cast(Table, AuditChainHead.__table__)
EVENTS = cast(Table, AuditEvent.__table__)
#: session.info keys: the events recorded in this transaction, the savepoint each was recorded
#: in (None: none), the key to seal them with, and the chain heads the transaction read already
#: (see :func:`note_head`)
_PENDING, _OWNERS, _KEY, _KNOWN = "audit_pending", "audit_owners", "audit_key", "audit_known_heads"
_EVENT_COLUMNS = ("at", "actor", "action", "subject_type", "subject_id", "instance_id", "details", "seq", "key_id",
                  "prev_hash", "hash")


def record(
    session: Session,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict | None = None,
    instance_id: str | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (written when it commits, never without it).

    At commit the event gets ``seq``, ``prev_hash`` and ``hash``: an HMAC (key
    ``HOUSING_AUDIT_KEY``) over its content, its position and the previous event's hash; see
    :mod:`app.audit.verify`.
    """
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        instance_id=instance_id,
        # stored exactly as hashed: what JSON cannot hold is turned into text first
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
    )
    if _PENDING not in session.info:
        session.info[_PENDING], session.info[_OWNERS] = [], []
        session.info[_KEY] = current_key()
        if not session.info.get("audit_hooks"):
            session.info["audit_hooks"] = True
            sa_event.listen(session, "before_commit", _seal)
            sa_event.listen(session, "after_soft_rollback", _forget)
    session.info[_PENDING].append(event)
    session.info[_OWNERS].append(session.get_nested_transaction())
    return event


def note_head(session: Session, subject_type: str, subject_id: str, head_hash: str | None,
              count: int | None) -> None:
    """The subject's chain head as the transaction read it (``None``: no head row yet).

    A step reads its instance's head with the query that locks the instance row, so sealing
    needs no query of its own: the head is moved from exactly that value to the new one (an
    UPDATE … WHERE count = the value read). If another writer moved it in between, that
    UPDATE changes no row and the events are chained again onto the locked head as usual.
    """
    session.info.setdefault(_KNOWN, {})[(subject_type, str(subject_id))] = (head_hash, count)


def _seal(session: Session) -> None:
    """Chain this transaction's events onto their subjects' locked heads (before commit).

    SQLAlchemy calls this before a savepoint's release too: the events wait for the commit of
    the transaction itself, so that its heads are moved once.
    """
    if session.in_nested_transaction():
        return
    session.info.pop(_OWNERS, None)
    pending: list[AuditEvent] = session.info.pop(_PENDING, None) or []
    key: AuditKey = session.info.pop(_KEY, None)
    known: dict = session.info.pop(_KNOWN, None) or {}
    if not pending:
        return
    session.flush()  # the transaction's own row locks first, the chain heads last
    by_subject: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in pending:
        by_subject.setdefault((event.subject_type, event.subject_id), []).append(event)
    for subject_type, subject_id in sorted(by_subject):
        events = by_subject[(subject_type, subject_id)]
        guess = known.get((subject_type, subject_id))
        if guess is not None and _move_known_head(session, subject_type, subject_id, guess, events, key):
            continue
        head_hash, count = _lock_head(session, subject_type, subject_id)
        head_hash, count = _chain(events, head_hash, count, key)
        session.execute(update(HEADS).where(HEADS.c.subject_type == subject_type, HEADS.c.subject_id == subject_id)
                        .values(head_hash=head_hash, count=count))
    # one INSERT for the whole transaction (the events are not needed as ORM objects afterwards)
    session.execute(EVENTS.insert(), [{c: getattr(e, c) for c in _EVENT_COLUMNS} for e in pending])


def _chain(events: list[AuditEvent], head_hash: str, count: int, key: AuditKey) -> tuple[str, int]:
    """Give the events their positions and hashes after ``head_hash``; the new head."""
    for event in events:
        count += 1
        event.seq, event.prev_hash, event.key_id = count, head_hash, key.key_id
        event.hash = head_hash = event_hash(key, event)
    return head_hash, count


def _move_known_head(session: Session, subject_type: str, subject_id: str, known: tuple[str | None, int | None],
                     events: list[AuditEvent], key: AuditKey) -> bool:
    """Extend the chain from the head the transaction read; False if it has moved since."""
    old_hash, old_count = known
    new_hash, new_count = _chain(events, old_hash or "", old_count or 0, key)
    if old_hash is None:  # no head row yet (a new instance): create it, unless someone just did
        insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
        stmt = insert(HEADS).values(subject_type=subject_type, subject_id=subject_id, head_hash=new_hash,
                                    count=new_count).on_conflict_do_nothing(
            index_elements=[HEADS.c.subject_type, HEADS.c.subject_id])
        return cast(CursorResult, session.execute(stmt)).rowcount == 1
    moved = session.execute(_MOVE_HEAD, {"st": subject_type, "sid": subject_id, "old_count": old_count,
                                         "old_hash": old_hash, "new_hash": new_hash, "new_count": new_count})
    return cast(CursorResult, moved).rowcount == 1


#: a head moved from the value a transaction read (built once: it runs in every step)
_MOVE_HEAD = (update(HEADS)
              .where(HEADS.c.subject_type == bindparam("st"), HEADS.c.subject_id == bindparam("sid"),
                     HEADS.c.count == bindparam("old_count"), HEADS.c.head_hash == bindparam("old_hash"))
              .values(head_hash=bindparam("new_hash"), count=bindparam("new_count")))


def _lock_head(session: Session, subject_type: str, subject_id: str) -> tuple[str, int]:
    """Read the subject's head and lock its row for the rest of the transaction."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    upsert = insert(HEADS).values(subject_type=subject_type, subject_id=subject_id, head_hash="", count=0)
    stmt = upsert.on_conflict_do_update(
        index_elements=[HEADS.c.subject_type, HEADS.c.subject_id],
        set_={"head_hash": HEADS.c.head_hash},  # a no-op update: it takes the row lock
    ).returning(HEADS.c.head_hash, HEADS.c.count)
    head_hash, count = session.execute(stmt).one()
    return head_hash, count


def _forget(session: Session, transaction) -> None:
    """A rolled-back transaction records nothing; a rolled-back savepoint drops the events
    recorded inside it and keeps the others (an inline handler that fails in a step takes its own
    events with it, not the step's). Called after every rollback, whether or not the database
    saw one."""
    if transaction.parent is None:
        for key in (_PENDING, _OWNERS, _KEY, _KNOWN):
            session.info.pop(key, None)
        return
    pending, owners = session.info.get(_PENDING), session.info.get(_OWNERS)
    if not transaction.nested or not pending or owners is None:
        return
    kept = [n for n, owner in enumerate(owners) if not _inside(owner, transaction)]
    session.info[_PENDING], session.info[_OWNERS] = [pending[n] for n in kept], [owners[n] for n in kept]


def _inside(owner, savepoint) -> bool:
    """Whether a transaction is ``savepoint`` or one nested in it."""
    while owner is not None:
        if owner is savepoint:
            return True
        owner = owner.parent
    return False
