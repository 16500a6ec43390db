"""A complaint (投诉) as filed: who filed it, through which channel, and the process handling it.

The complainant's name and phone live only here (and the phone in the process, for the SMS
reply); work orders and the handler's page show the complaint, never the person. A public
complainant follows the complaint with a link whose token is stored only as a SHA-256 digest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class Complaint(Base):
    """One complaint and the ``complaint`` process instance that handles it."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_no: Mapped[str] = mapped_column(String(32), unique=True)
    #: portal | public | hotline | window
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(64))
    application_no: Mapped[str | None] = mapped_column(String(32))
    lease_no: Mapped[str | None] = mapped_column(String(32))
    complainant_name: Mapped[str] = mapped_column(String(64))
    complainant_phone: Mapped[str] = mapped_column(String(32))
    #: the portal account that filed it (None for public, hotline and window complaints)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the staff member who entered a hotline call or window visit
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instance_id: Mapped[str | None] = mapped_column(String(36))
    #: the latest rating (1–5) and when it was given
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None]
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
