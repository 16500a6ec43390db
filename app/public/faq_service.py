"""常见问题 (FAQ): the public list, and staff editing like the policy library (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.identity import Identity
from app.db import db, utcnow
from app.l10n import Message
from app.public.content import Cleaner, require_editor
from app.public.errors import FaqEntryNotFound, NotPublishable, StillPublished
from app.public.models import FaqEntry
from app.services import audit_service

SUBJECT = "faq_entry"


def describe(entry: FaqEntry) -> dict:
    """The fields of an entry as pages show them."""
    return {"id": entry.id, "question": entry.question, "answer": entry.answer,
            "housing_type": entry.housing_type, "position": entry.position, "published": entry.published,
            "updated_at": entry.updated_at.isoformat(), "updated_by": entry.updated_by}


def entries(housing_type: str = "", *, include_drafts: bool = False) -> list[dict]:
    """Entries in their order (``housing_type`` also finds the ``general`` ones)."""
    stmt = select(FaqEntry)
    if not include_drafts:
        stmt = stmt.where(FaqEntry.published.is_(True))
    if housing_type:
        stmt = stmt.where(FaqEntry.housing_type.in_((housing_type, "general")))
    with db.session() as session:
        return [describe(e) for e in session.scalars(stmt.order_by(FaqEntry.position, FaqEntry.id))]


def get(entry_id: int) -> dict:
    """One entry (drafts too: only the editing pages call this)."""
    with db.session() as session:
        return describe(_load(session, entry_id))


def create(actor: Identity, values: dict) -> dict:
    """Store a new entry as a draft."""
    require_editor(actor)
    fields = _clean(values)
    with db.transaction() as session:
        entry = FaqEntry(**fields, published=False, updated_by=actor.username)
        session.add(entry)
        session.flush()
        audit_service.record(session, actor.username, "faq.created", SUBJECT, str(entry.id),
                             {"question": entry.question})
        return describe(entry)


def update(actor: Identity, entry_id: int, values: dict) -> dict:
    """Change an entry's question, answer, type or position."""
    require_editor(actor)
    fields = _clean(values)
    with db.transaction() as session:
        entry = _load(session, entry_id, lock=True)
        changed = sorted(k for k, v in fields.items() if getattr(entry, k) != v)
        for key, value in fields.items():
            setattr(entry, key, value)
        entry.updated_at, entry.updated_by = utcnow(), actor.username
        audit_service.record(session, actor.username, "faq.updated", SUBJECT, str(entry.id),
                             {"question": entry.question, "fields": changed})
        return describe(entry)


def set_published(actor: Identity, entry_id: int, published: bool) -> dict:
    """Publish or withdraw an entry."""
    require_editor(actor)
    with db.transaction() as session:
        entry = _load(session, entry_id, lock=True)
        if published and not entry.answer.strip():
            raise NotPublishable("问题需要答案才能发布")
        if entry.published != published:
            entry.published = published
            entry.updated_at, entry.updated_by = utcnow(), actor.username
            audit_service.record(session, actor.username, "faq.published" if published else "faq.withdrawn",
                                 SUBJECT, str(entry.id), {"question": entry.question})
        return describe(entry)


def delete(actor: Identity, entry_id: int) -> None:
    """Delete a withdrawn (or never published) entry."""
    require_editor(actor)
    with db.transaction() as session:
        entry = _load(session, entry_id, lock=True)
        if entry.published:
            raise StillPublished("该问题仍在公开，请先撤回再删除")
        audit_service.record(session, actor.username, "faq.deleted", SUBJECT, str(entry.id),
                             {"question": entry.question})
        session.delete(entry)


def _load(session: Session, entry_id: int, lock: bool = False) -> FaqEntry:
    stmt = select(FaqEntry).where(FaqEntry.id == entry_id)
    entry = session.scalar(stmt.with_for_update() if lock else stmt)
    if entry is None:
        raise FaqEntryNotFound(Message("faq.not_found", id=entry_id))
    return entry


def _clean(values: dict) -> dict:
    c = Cleaner(values)
    fields = {"question": c.text("question", 300), "answer": c.text("answer", 20_000),
              "housing_type": c.housing_type(), "position": c.integer("position")}
    c.done()
    return fields
