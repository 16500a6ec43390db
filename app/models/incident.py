"""Incidents: failures an operator has to look at and retry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class Incident(Base):
    """A task that failed (script error, job out of retries, …) and waits for a retry."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: none for an incident that belongs to no case (an audit chain break)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255), default="")
    task_name: Mapped[str] = mapped_column(String(255), default="")
    job_id: Mapped[str | None] = mapped_column(String(36))
    #: script_error | job_failed | stuck (the instance waits on nothing: see incident_service) | audit_break
    kind: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    line_number: Mapped[int] = mapped_column(default=0)
    #: open | resolved
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(255))


Index("ix_incident_status_created", Incident.status, Incident.created_at)
