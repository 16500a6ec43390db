"""The policy library (政策文件库): public listing and search, and staff editing (audited).

Search is a plain case-insensitive ``LIKE`` over title, summary and full text, which works the
same on PostgreSQL and SQLite and is enough for a library of hundreds of documents; no
full-text index is kept. Every staff change records an audit event on ``policy_document``.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, undefer

from app.auth.identity import Identity
from app.db import db, utcnow
from app.l10n import Message
from app.public.content import Cleaner, like_pattern, require_editor
from app.public.errors import NotPublishable, PolicyDocumentNotFound, StillPublished
from app.public.models import PolicyDocument
from app.services import audit_service

SUBJECT = "policy_document"
#: at most this many documents on one listing
PAGE_SIZE = 50


def describe(doc: PolicyDocument, *, full: bool = False) -> dict:
    """The fields of a document as pages show them (``full`` adds the body)."""
    out = {
        "id": doc.id, "title": doc.title, "doc_no": doc.doc_no, "issuer": doc.issuer,
        "issued_on": doc.issued_on.isoformat(), "housing_type": doc.housing_type, "city": doc.city,
        "summary": doc.summary, "has_pdf": bool(doc.pdf_name), "pdf_name": doc.pdf_name,
        "published": doc.published, "updated_at": doc.updated_at.isoformat(), "updated_by": doc.updated_by,
    }
    if full:
        out["body"] = doc.body
    return out


def search(query: str = "", housing_type: str = "", city: str = "", *, include_drafts: bool = False) -> list[dict]:
    """Documents matching ``query`` (title, summary or full text), newest first.

    ``housing_type`` also finds the documents filed as ``general``; the public sees published
    documents only, staff (``include_drafts``) see all.
    """
    stmt = select(PolicyDocument)
    if not include_drafts:
        stmt = stmt.where(PolicyDocument.published.is_(True))
    if housing_type:
        stmt = stmt.where(PolicyDocument.housing_type.in_((housing_type, "general")))
    if city:
        stmt = stmt.where(PolicyDocument.city.in_((city, "全国")))
    words = [w for w in (query or "").split() if w][:5]
    for word in words:
        pattern = like_pattern(word[:100])
        stmt = stmt.where(or_(PolicyDocument.title.ilike(pattern, escape="\\"),
                              PolicyDocument.summary.ilike(pattern, escape="\\"),
                              PolicyDocument.body.ilike(pattern, escape="\\")))
    stmt = stmt.order_by(PolicyDocument.issued_on.desc(), PolicyDocument.id.desc()).limit(PAGE_SIZE)
    with db.session() as session:
        return [describe(d) for d in session.scalars(stmt)]


def cities() -> list[str]:
    """The cities the published documents name (for the filter)."""
    with db.session() as session:
        rows = session.scalars(select(PolicyDocument.city).where(PolicyDocument.published.is_(True))
                               .distinct().order_by(PolicyDocument.city))
        return list(rows)


def get(document_id: int, *, include_drafts: bool = False) -> dict:
    """One document with its full text; a draft is "not found" for the public."""
    with db.session() as session:
        return describe(_load(session, document_id, include_drafts), full=True)


def pdf(document_id: int, *, include_drafts: bool = False) -> tuple[str, bytes]:
    """The file name and bytes of a document's PDF."""
    with db.session() as session:
        doc = session.scalar(select(PolicyDocument).options(undefer(PolicyDocument.pdf))
                             .where(PolicyDocument.id == document_id))
        if doc is None or (not doc.published and not include_drafts) or not doc.pdf:
            raise PolicyDocumentNotFound(Message("policy.no_pdf", id=document_id))
        return doc.pdf_name or "document.pdf", bytes(doc.pdf)


def create(actor: Identity, values: dict) -> dict:
    """Store a new document as a draft."""
    require_editor(actor)
    fields, upload = _clean(values)
    with db.transaction() as session:
        doc = PolicyDocument(**fields, published=False, updated_by=actor.username)
        if upload:
            doc.pdf_name, doc.pdf = upload
        session.add(doc)
        session.flush()
        audit_service.record(session, actor.username, "policy.created", SUBJECT, str(doc.id),
                             {"title": doc.title, "pdf": bool(upload)})
        return describe(doc)


def update(actor: Identity, document_id: int, values: dict) -> dict:
    """Change a document's fields (a new PDF replaces the old; ``remove_pdf`` drops it)."""
    require_editor(actor)
    fields, upload = _clean(values)
    with db.transaction() as session:
        doc = _load(session, document_id, True, lock=True)
        changed = sorted(k for k, v in fields.items() if getattr(doc, k) != v)
        for key, value in fields.items():
            setattr(doc, key, value)
        if upload:
            doc.pdf_name, doc.pdf = upload
            changed.append("pdf")
        elif values.get("remove_pdf") and doc.pdf_name:
            doc.pdf_name, doc.pdf = None, None
            changed.append("pdf")
        if doc.published:
            _check_publishable(doc)
        doc.updated_at, doc.updated_by = utcnow(), actor.username
        audit_service.record(session, actor.username, "policy.updated", SUBJECT, str(doc.id),
                             {"title": doc.title, "fields": changed})
        return describe(doc)


def set_published(actor: Identity, document_id: int, published: bool) -> dict:
    """Publish (needs a summary and a full text or PDF) or withdraw a document."""
    require_editor(actor)
    with db.transaction() as session:
        doc = _load(session, document_id, True, lock=True)
        if published:
            _check_publishable(doc)
        if doc.published != published:
            doc.published = published
            doc.published_at = utcnow() if published else doc.published_at
            doc.updated_at, doc.updated_by = utcnow(), actor.username
            audit_service.record(session, actor.username, "policy.published" if published else "policy.withdrawn",
                                 SUBJECT, str(doc.id), {"title": doc.title})
        return describe(doc)


def delete(actor: Identity, document_id: int) -> None:
    """Delete a withdrawn (or never published) document."""
    require_editor(actor)
    with db.transaction() as session:
        doc = _load(session, document_id, True, lock=True)
        if doc.published:
            raise StillPublished(Message("policy.still_published", title=doc.title))
        audit_service.record(session, actor.username, "policy.deleted", SUBJECT, str(doc.id), {"title": doc.title})
        session.delete(doc)


def _load(session: Session, document_id: int, include_drafts: bool, lock: bool = False) -> PolicyDocument:
    stmt = select(PolicyDocument).where(PolicyDocument.id == document_id)
    doc = session.scalar(stmt.with_for_update() if lock else stmt)
    if doc is None or (not doc.published and not include_drafts):
        raise PolicyDocumentNotFound(Message("policy.not_found", id=document_id))
    return doc


def _check_publishable(doc: PolicyDocument) -> None:
    if not doc.summary.strip() or not (doc.body.strip() or doc.pdf_name):
        raise NotPublishable(Message("policy.not_publishable", title=doc.title))


def _clean(values: dict) -> tuple[dict, tuple[str, bytes] | None]:
    c = Cleaner(values)
    fields = {
        "title": c.text("title", 200), "doc_no": c.text("doc_no", 100, required=False),
        "issuer": c.text("issuer", 100), "issued_on": c.day("issued_on"), "housing_type": c.housing_type(),
        "city": c.text("city", 64), "summary": c.text("summary", 2000, required=False),
        "body": c.text("body", 200_000, required=False),
    }
    upload = c.pdf()
    c.done()
    return fields, upload
