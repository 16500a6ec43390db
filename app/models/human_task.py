"""The inbox projection of READY user tasks (the inbox never loads workflows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class HumanTask(Base):
    """A user or manual task as the inbox sees it."""

    __tablename__ = "human_task"

    #: the SpiffWorkflow task id
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    form_key: Mapped[str | None] = mapped_column(String(255))
    ui_form_key: Mapped[str | None] = mapped_column(String(255))
    instructions: Mapped[str] = mapped_column(Text, default="")
    candidate_groups: Mapped[list] = mapped_column(default=list)
    assignee: Mapped[str | None] = mapped_column(String(255), index=True)
    district: Mapped[str | None] = mapped_column(String(64))
    #: ready | completed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="ready")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(255))
    #: extra properties for lists (housing type, applicant masked name, step …)
    summary: Mapped[dict] = mapped_column(default=dict)


class TaskCandidate(Base):
    """One candidate group of a human task (indexed for the inbox query)."""

    __tablename__ = "task_candidate"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(128), primary_key=True)


Index("ix_human_task_inbox", HumanTask.status, HumanTask.district, HumanTask.due_at, HumanTask.id)
Index("ix_human_task_status_due", HumanTask.status, HumanTask.due_at, HumanTask.id)
Index("ix_task_candidate_group", TaskCandidate.group_name, TaskCandidate.task_id)
Index("ix_human_task_done", HumanTask.completed_by, HumanTask.completed_at, HumanTask.id)
# the search by application number (inbox_service): PostgreSQL-only indexes of migration 0020 —
# ``business_key varchar_pattern_ops`` (prefix LIKE) and ``(summary ->> 'application_no')``
