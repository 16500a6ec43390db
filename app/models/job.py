"""The job outbox: every service-task call, with its attempts and result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

#: queued (handed to the runner) → running (leased by a worker) → succeeded → applied (its result
#: completed the task); a retryable failure → pending (until run_after) → queued again; out of
#: retries → failed → applied (a boundary event caught the error) or incident; cancelled: the
#: task went away (a timer interrupted it, the instance ended).
JOB_STATES = ("pending", "queued", "running", "succeeded", "applied", "failed", "incident", "cancelled")


class Job(Base):
    """One operator call requested by a service task."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))  # ix_job_instance_state leads with it
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    task_name: Mapped[str] = mapped_column(String(255), default="")
    operator: Mapped[str] = mapped_column(String(255))
    params: Mapped[dict] = mapped_column(default=dict)
    result_variable: Mapped[str] = mapped_column(String(255))
    result: Mapped[dict | None]
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_job_state_run_after", Job.state, Job.run_after)
Index("ix_job_instance_state", Job.instance_id, Job.state)
