"""Process instances: serialized workflow state plus what queries need without loading it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class ProcessInstance(Base):
    """One running (or finished) workflow."""

    __tablename__ = "process_instance"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255), index=True)
    #: definition ids the instance's specs were built from (itself, called processes, decisions)
    bundle: Mapped[list] = mapped_column(default=list)
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    #: running | completed | error | cancelled
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    state: Mapped[str] = mapped_column(Text)
    state_format: Mapped[int] = mapped_column(default=1)
    #: optimistic-locking counter, bumped on every save
    version: Mapped[int] = mapped_column(default=1)
    next_timer_due_at: Mapped[datetime | None] = mapped_column(index=True)
    #: a small projection of the data for lists (title, district, housing type …)
    summary: Mapped[dict] = mapped_column(default=dict)
    parent_instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    started_by: Mapped[str] = mapped_column(String(255), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}


class MessageSubscription(Base):
    """A message an instance waits for (so correlation needs no workflow loads)."""

    __tablename__ = "message_subscription"

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True
    )
    message_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    business_key: Mapped[str | None] = mapped_column(String(255))


Index("ix_subscription_name_key", MessageSubscription.message_name, MessageSubscription.business_key)


class InstanceArchive(Base):
    """Finished work cut from an instance's live state by one step (see
    :mod:`app.engine.compaction`): the history entries of its diagram steps and the cut tasks."""

    __tablename__ = "process_instance_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    #: completed diagram steps, as ``Run.completed_nodes`` lists them (with ``_ts`` for ordering)
    nodes: Mapped[list] = mapped_column(default=list)
    #: the cut tasks as SpiffWorkflow serialized them, per workflow (``process``, ``parent_task_id``, ``tasks``)
    tasks: Mapped[str] = mapped_column(Text)
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
