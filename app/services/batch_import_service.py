"""Batch import of applications: check a sheet row by row, then start one case per application.

``start_import`` reads and checks the whole file at once (a wrong header, a bad cell, an unknown
applicant account or another district's application is reported before anything starts), keeps
the upload in the database (``import_job`` and its applications and problems) and then starts
the valid applications, in a background thread unless told otherwise. Progress and the problem
report are read from the database, so any worker answers and a restart loses nothing: a job
whose runner stopped (no heartbeat for :data:`STALE_AFTER`) is shown as interrupted and
:func:`resume` starts the rest.

Each case is submitted like any application (:func:`case_service.file_application`) by the
importing officer for the account named in the sheet (``applicant_username``): the case, its
offer and its lease belong to that applicant; the officer is the one who started it
(``started_by`` and the audit trail). No one waits for each start as it runs, so each is
``unattended``: the case's registration (``case/register``) runs in the start's own transaction
and the case is in the district clerks' 受理 inbox when it commits (ADR 0023).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.auth.identity import Identity
from app.claims import DuplicateApplication
from app.db import db, utcnow
from app.l10n import Message
from app.models import Application, ImportApplication, ImportJob, ImportProblem, User
from app.services import case_service
from app.services.batch_import_checks import TITLES, check_sheet, locate, readable
from app.services.batch_import_rows import read_sheet
from app.services.errors import DomainError, NotFound, ValidationFailed
from app.services.user_service import identity_of

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=2)
RECENT = 20


class ImportNotFound(NotFound):
    code = "import_not_found"


@dataclass
class ImportView:
    """One upload as pages show it."""

    id: str
    filename: str
    owner: str
    created_at: datetime
    state: str  # running | interrupted | finished
    rows: int
    applications: int
    counts: dict[str, int]
    started: list[dict] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def valid(self) -> int:
        """Applications that passed the checks (the ones to start)."""
        return sum(self.counts.get(s, 0) for s in ("pending", "starting", "started", "failed"))

    @property
    def done(self) -> int:
        return self.counts.get("started", 0) + self.counts.get("failed", 0)


def start_import(identity: Identity, filename: str, content: bytes, background: bool = True) -> ImportView:
    """Check every row, keep the upload, and start its valid applications."""
    try:
        rows = read_sheet(filename, content)
    except ValueError as exc:
        problem = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)  # a Message stays one
        raise ValidationFailed(problem, {"file": [problem]}) from None
    applications = check_sheet(identity, rows)
    job = ImportJob(id=uuid.uuid4().hex, owner=identity.username, filename=filename[:255], state="running",
                    row_count=len(rows), created_at=utcnow(), heartbeat_at=utcnow())
    with db.transaction() as session:
        session.add(job)
        session.flush()
        for position, a in enumerate(applications):
            session.add(ImportApplication(
                job_id=job.id, position=position, sequence=a.sequence[:64], row_numbers=[r.number for r in a.rows],
                head_row=a.head.number if a.head else a.rows[0].number, applicant_username=a.account[:64],
                district=(a.head.values["district"] if a.head else "")[:64],
                state="pending" if a.valid else "invalid", form=a.form if a.valid else None))
        session.add_all(ImportProblem(job_id=job.id, row_number=r.number, column_title=TITLES.get(k, k),
                                      message=m) for r in rows for k, msgs in r.errors.items() for m in msgs)
    _launch(job.id, background and any(a.valid for a in applications))
    return status(identity, job.id)


def _launch(job_id: str, background: bool) -> None:
    if not background:
        run_job(job_id)
        return
    app = current_app._get_current_object()

    def target() -> None:
        with app.app_context():
            run_job(job_id)

    threading.Thread(target=target, name=f"import-{job_id[:8]}", daemon=True).start()


def run_job(job_id: str) -> None:
    """Start the job's pending applications one by one, then mark it finished."""
    while claimed_batch := _claim_batch(job_id):
        for claimed in claimed_batch:
            try:
                _start_one(claimed)
            except Exception:  # one broken application must not stop the rest of the upload
                log.exception("batch import %s: application %s failed", job_id, claimed.id)
                _settle(claimed.id, None, {"_": ["未能立案：系统错误"]})
    with db.transaction() as session:
        open_left = select(ImportApplication.id).where(ImportApplication.job_id == job_id,
                                                       ImportApplication.state.in_(("pending", "starting")))
        session.execute(update(ImportJob).where(ImportJob.id == job_id, ~open_left.exists())
                        .values(state="finished", finished_at=utcnow(), heartbeat_at=utcnow()))


@dataclass
class _Claimed:
    """An application taken to be started, as its claim read it."""

    id: int
    form: dict
    applicant_username: str
    application_no: str | None
    owner: Identity | None  # the importing officer, None if their account was deactivated
    exists: bool  # its case was started already (by a runner taken for dead)


#: applications a runner takes at once: one transaction reserves their numbers and touches the
#: heartbeat for all of them (about a second of starts; a runner taken for dead leaves them to
#: :func:`resume`, which starts again each one whose case does not exist)
CLAIM_BATCH = 10


def _claim_batch(job_id: str) -> list[_Claimed]:
    """Mark the next pending applications as starting (a second runner skips them), reserve their
    numbers and touch the heartbeat, in one transaction; in the sheet's order, empty when none is left.

    The number is reserved before the start so an interrupted start can be told apart: a case
    with that number exists or it does not (:func:`resume`)."""
    while True:  # until a batch is taken or none is left
        with db.transaction() as session:
            candidates = session.scalars(
                select(ImportApplication.id).where(ImportApplication.job_id == job_id,
                                                   ImportApplication.state == "pending")
                .order_by(ImportApplication.position).limit(CLAIM_BATCH)).all()
            if not candidates:
                return []
            rows = session.execute(  # a row another runner took since the read above is not updated
                update(ImportApplication)
                .where(ImportApplication.id.in_(candidates), ImportApplication.state == "pending")
                .values(state="starting")
                .returning(ImportApplication.id, ImportApplication.position, ImportApplication.form,
                           ImportApplication.applicant_username, ImportApplication.application_no)).all()
            if not rows:  # all taken by another runner since the read: look again
                continue
            session.execute(update(ImportJob).where(ImportJob.id == job_id).values(heartbeat_at=utcnow()))
            owner = session.scalar(select(User).join(ImportJob, ImportJob.owner == User.username)
                                   .where(ImportJob.id == job_id, User.active.is_(True)))
            reserved = [r.application_no for r in rows if r.application_no is not None]  # by an interrupted runner
            existing = set(session.scalars(select(Application.application_no)
                                           .where(Application.application_no.in_(reserved)))) if reserved else set()
            rows = sorted(rows, key=lambda r: r.position)
            numbers = {r.id: r.application_no for r in rows}
            if owner is not None:  # a number for each one to start that has none, per housing type at once
                unnumbered: dict[str, list[int]] = {}
                for r in rows:
                    if r.application_no is None and r.form:
                        unnumbered.setdefault(r.form["housing_type"], []).append(r.id)
                for housing_type, ids in sorted(unnumbered.items()):  # counters locked in one order by all
                    numbers.update(zip(ids, case_service.next_application_nos(housing_type, utcnow().year, len(ids),
                                                                              session), strict=True))
                if unnumbered:
                    session.execute(update(ImportApplication), [{"id": i, "application_no": numbers[i]}
                                                                for ids in unnumbered.values() for i in ids])
            by = identity_of(owner) if owner is not None else None
            return [_Claimed(r.id, r.form or {}, r.applicant_username, numbers[r.id], by, r.application_no in existing)
                    for r in rows]


def _start_one(claimed: _Claimed) -> None:
    if claimed.exists:  # started by a runner taken for dead; never twice
        _settle(claimed.id, claimed.application_no, None)
        return
    if claimed.owner is None:
        _settle(claimed.id, None, {"_": ["未能立案：导入人账号已停用"]})
        return

    def started(session) -> None:  # in the start's transaction: the case and its row's state together
        session.execute(update(ImportApplication).where(ImportApplication.id == claimed.id)
                        .values(state="started", form=None))

    try:  # the form is checked again: it may have changed since the upload
        case_service.file_application(claimed.owner, claimed.form, claimed.applicant_username,
                                      claimed.application_no, unattended=True, also=started)
    except ValidationFailed as exc:
        _settle(claimed.id, None, exc.errors or {"_": [f"未能立案：{exc.detail}"]})
    except DuplicateApplication as exc:  # opened elsewhere since the upload was checked
        _settle(claimed.id, None, exc.errors)
    except DomainError as exc:
        _settle(claimed.id, None, {"_": [f"未能立案：{exc.detail}"]})


def _settle(application_id: int, application_no: str | None, errors: dict | None) -> None:
    """Record the outcome; a case that exists is reported as started whatever went wrong after."""
    with db.transaction() as session:
        row = session.get_one(ImportApplication, application_id)
        exists = _case_exists(session, application_no or row.application_no)
        row.state, row.form = ("started" if exists else "failed"), None
        if not exists:
            session.add_all(ImportProblem(job_id=row.job_id, row_number=n, column_title=TITLES.get(k, k),
                                          message=readable(k, m))
                            for n, k, m in locate(errors or {}, row.row_numbers, row.head_row))
        session.execute(update(ImportJob).where(ImportJob.id == row.job_id).values(heartbeat_at=utcnow()))


def _case_exists(session, application_no: str | None) -> bool:
    return application_no is not None and session.scalar(
        select(Application.id).where(Application.application_no == application_no)) is not None


def resume(identity: Identity, job_id: str, background: bool = True) -> ImportView:
    """Start the rest of an interrupted import (its runner stopped with the server that ran it)."""
    job = _own(identity, job_id)
    cutoff = utcnow() - STALE_AFTER
    with db.transaction() as session:
        taken = session.execute(update(ImportJob).where(ImportJob.id == job.id, ImportJob.state == "running",
                                                        ImportJob.heartbeat_at < cutoff)
                                .values(heartbeat_at=utcnow())).rowcount
        if taken:  # an application caught mid-start: started if its case exists, else to be started again
            for row in session.scalars(select(ImportApplication).where(ImportApplication.job_id == job.id,
                                                                       ImportApplication.state == "starting")):
                started = _case_exists(session, row.application_no)
                row.state = "started" if started else "pending"
                if started:
                    row.form = None
    if taken:
        _launch(job.id, background)
    return status(identity, job.id)


def _own(identity: Identity, job_id: str) -> ImportJob:
    with db.session() as session:
        job = session.get(ImportJob, job_id)
    if job is None or (job.owner != identity.username and not identity.is_admin):
        raise ImportNotFound(Message("import.not_found", id=job_id))
    return job


def _state(job: ImportJob) -> str:
    if job.state == "running" and job.heartbeat_at < utcnow() - STALE_AFTER:
        return "interrupted"
    return job.state


def _counts(session, job_ids: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {i: {} for i in job_ids}
    query = (select(ImportApplication.job_id, ImportApplication.state, func.count())
             .where(ImportApplication.job_id.in_(job_ids))
             .group_by(ImportApplication.job_id, ImportApplication.state))
    for job_id, state, count in session.execute(query):
        out[job_id][state] = count
    return out


def _view(job: ImportJob, counts: dict[str, int]) -> ImportView:
    return ImportView(job.id, job.filename, job.owner, job.created_at, _state(job), job.row_count,
                      sum(counts.values()), counts)


def progress(identity: Identity, job_id: str) -> ImportView:
    """The job's state and counts, without the lists (what the page polls)."""
    job = _own(identity, job_id)
    with db.session() as session:
        return _view(job, _counts(session, [job.id])[job.id])


def status(identity: Identity, job_id: str) -> ImportView:
    """One of the identity's imports with what was started and every problem (404 for anyone else's)."""
    view = progress(identity, job_id)
    with db.session() as session:
        view.started = [{"sequence": a.sequence, "rows": a.row_numbers, "application_no": a.application_no}
                        for a in session.scalars(select(ImportApplication).where(
                            ImportApplication.job_id == job_id, ImportApplication.state == "started")
                            .order_by(ImportApplication.position))]
        view.problems = [tuple(p) for p in session.execute(
            select(ImportProblem.row_number, ImportProblem.column_title, ImportProblem.message)
            .where(ImportProblem.job_id == job_id).order_by(ImportProblem.row_number, ImportProblem.id))]
    return view


def recent(identity: Identity) -> list[ImportView]:
    """The identity's latest imports, newest first."""
    with db.session() as session:
        jobs = session.scalars(select(ImportJob).where(ImportJob.owner == identity.username)
                               .order_by(ImportJob.created_at.desc()).limit(RECENT)).all()
        counts = _counts(session, [j.id for j in jobs])
    return [_view(j, counts[j.id]) for j in jobs]
