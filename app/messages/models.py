"""A message the applicant received (an SMS, kept so the portal can show it again)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ApplicantMessage(Base):
    """One notice sent to an applicant's phone, as the portal's 消息 list shows it.

    ``source_key`` names what sent it (the service-task job, or the signing code request), so
    a job that runs twice records its message once.
    """

    __tablename__ = "applicant_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the portal account it belongs to
    username: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    phone: Mapped[str] = mapped_column(String(32))
    template: Mapped[str] = mapped_column(String(64))
    #: the template's variables (a signing code is never kept); the page words them per language
    params: Mapped[dict] = mapped_column(default=dict)
    #: the application or lease number it is about, for the link back to the case
    subject_no: Mapped[str | None] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(128), unique=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
