"""Deployed BPMN/DMN files and the versioned process and decision definitions in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class DefinitionFile(Base):
    """A file's content, stored once per content hash."""

    __tablename__ = "definition_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessDefinition(Base):
    """One version of a process (``kind='process'``) or decision (``kind='decision'``)."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16), default="process")
    name: Mapped[str] = mapped_column(String(255))
    file_id: Mapped[int] = mapped_column(ForeignKey("definition_file.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    executable: Mapped[bool] = mapped_column(default=True)
    #: {"processes": [...], "decisions": [...]} this definition refers to
    dependencies: Mapped[dict] = mapped_column(default=dict)
    #: {"messages": [...], "timers": [...], "start_roles": [...]} of its start events
    start_events: Mapped[dict] = mapped_column(default=dict)
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(255), default="")
    comment: Mapped[str] = mapped_column(Text, default="")

    file: Mapped[DefinitionFile] = relationship()


class StartTimer(Base):
    """When the scheduler next starts an instance of a process with a timer start event."""

    __tablename__ = "start_timer"

    process_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    expression: Mapped[str] = mapped_column(String(255))
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    last_fired_at: Mapped[datetime | None]


Index("ix_definition_kind_key", ProcessDefinition.kind, ProcessDefinition.key)
