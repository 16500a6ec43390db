"""Public-service content that staff edit: policy documents (政策文件库) and FAQ entries (常见问题).

Both are shown to the public only while ``published``; an uploaded PDF is kept in the row (a
few MB at most) so the embedded SQLite default needs no file store.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db import Base, utcnow

#: housing types a document or FAQ entry can be filed under ("general" applies to both)
HOUSING_TYPES = ("gongzufang", "baozufang", "general")


class PolicyDocument(Base):
    """One policy document: title, issuer, date, summary, full text and/or a PDF."""

    __tablename__ = "policy_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: document number, e.g. 住房和城乡建设部令第11号
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    issuer: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date]
    #: gongzufang | baozufang | general
    housing_type: Mapped[str] = mapped_column(String(16))
    #: the city it applies to; "全国" for national rules
    city: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    pdf_name: Mapped[str | None] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class FaqEntry(Base):
    """One question and its answer, in the order staff give it."""

    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    #: gongzufang | baozufang | general
    housing_type: Mapped[str] = mapped_column(String(16), default="general")
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


Index("ix_policy_document_listing", PolicyDocument.published, PolicyDocument.housing_type, PolicyDocument.city)
Index("ix_faq_entry_listing", FaqEntry.published, FaqEntry.position)
