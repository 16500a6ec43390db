"""Batch imports of applications: one upload, its applications and the problems found per row.

Kept in the database, not in a server process, so progress and the problem report survive a
restart and every worker answers the same. An application's ``form`` is kept only until its case
is started or refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow

#: running (cases are being started) → finished
JOB_STATES = ("running", "finished")
#: invalid (a row has a problem; nothing started) | pending → starting → started | failed
APPLICATION_STATES = ("invalid", "pending", "starting", "started", "failed")


class ImportJob(Base):
    """One uploaded sheet."""

    __tablename__ = "import_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the officer who uploaded it (the cases' ``started_by``)
    owner: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="running")
    row_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: touched by whoever is starting the cases; a running job whose heartbeat is old was interrupted
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_import_job_owner_created", "owner", "created_at"),)


class ImportApplication(Base):
    """The rows of one application in an upload (rows sharing an 申请序号) and what became of them."""

    __tablename__ = "import_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    #: the 申请序号 shared by its rows
    sequence: Mapped[str] = mapped_column(String(64))
    #: sheet row numbers in member order (``household.members[i]`` came from ``row_numbers[i]``)
    row_numbers: Mapped[list] = mapped_column(default=list)
    head_row: Mapped[int] = mapped_column(default=0)
    applicant_username: Mapped[str] = mapped_column(String(64), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")
    #: the application form to submit; cleared once the case is started or refused
    form: Mapped[dict | None]
    #: reserved before the start, so an interrupted start can be checked and resumed
    application_no: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_import_application_job_state", "job_id", "state", "position"),)


class ImportProblem(Base):
    """One problem with one cell (or one row) of an upload."""

    __tablename__ = "import_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int]
    #: the column title as the sheet has it
    column_title: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
