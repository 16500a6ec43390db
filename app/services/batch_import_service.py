"""Batch import of applications: validate a sheet row by row, then start one case per application.

``start_import`` reads and checks the whole file at once (so a wrong header or a bad cell is
reported before anything starts) and then starts the accepted applications in a background
thread; ``status`` reports its progress. Progress lives in this server process (the embedded
default's single process; behind several workers the status page must reach the same one).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from app.auth.identity import Identity
from app.db import utcnow
from app.services import forms
from app.services.batch_import_rows import APPLICATION_FORM, COLUMNS, Row, convert, label_maps, read_sheet
from app.services.errors import DomainError, NotFound, ValidationFailed

log = logging.getLogger(__name__)
KEEP_JOBS = 50
_PATH_TO_KEY = {path.replace(".*", ""): key for key, _t, path in COLUMNS if path}


@dataclass
class Application:
    """The rows of one application and the form built from them."""

    group: str
    rows: list[Row]
    form: dict = field(default_factory=dict)
    application_no: str | None = None
    error: str = ""


@dataclass
class ImportJob:
    """One upload: its rows, applications, progress and outcome."""

    id: str
    owner: str
    filename: str
    created_at: datetime
    rows: list[Row]
    applications: list[Application]
    done: int = 0
    state: str = "running"  # running | finished

    @property
    def valid(self) -> list[Application]:
        return [a for a in self.applications if not any(r.errors for r in a.rows)]

    @property
    def started(self) -> list[Application]:
        return [a for a in self.applications if a.application_no]

    def error_rows(self) -> list[tuple[int, str, str]]:
        """``(row number, column title, message)`` for every problem, in file order."""
        titles = {key: title for key, title, _p in COLUMNS}
        out = [(r.number, titles.get(k, k), m) for r in self.rows for k, msgs in r.errors.items() for m in msgs]
        return sorted(out)


_jobs: dict[str, ImportJob] = {}
_lock = threading.Lock()


def _default_starter(identity: Identity, form: dict) -> str:
    from app.services import case_service

    return case_service.submit_application(identity, form)["application_no"]


def start_import(identity: Identity, filename: str, content: bytes,
                 starter: Callable[[Identity, dict], str] | None = None, background: bool = True) -> ImportJob:
    """Check every row; start the valid applications (in a thread unless ``background`` is False)."""
    try:
        rows = read_sheet(filename, content)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"file": [str(exc)]}) from None
    applications = _group(rows)
    job = ImportJob(uuid.uuid4().hex, identity.username, filename, utcnow(), rows, applications)
    with _lock:
        _jobs[job.id] = job
        for old in sorted(_jobs.values(), key=lambda j: j.created_at)[:-KEEP_JOBS]:
            del _jobs[old.id]
    run = _runner(job, identity, starter or _default_starter)
    if background:
        app = current_app._get_current_object()
        threading.Thread(target=lambda: _in_context(app, run), name=f"import-{job.id[:8]}", daemon=True).start()
    else:
        run()
    return job


def _in_context(app, run) -> None:
    with app.app_context():
        run()


def _runner(job: ImportJob, identity: Identity, starter) -> Callable[[], None]:
    def run() -> None:
        for application in job.valid:
            try:
                application.application_no = starter(identity, application.form)
            except ValidationFailed as exc:
                _attach(application, exc.errors or {"_": [exc.detail]})
            except DomainError as exc:
                application.error = exc.detail
                application.rows[0].error("group", f"未能立案：{exc.detail}")
            except Exception:  # one broken application must not stop the rest of the upload
                log.exception("batch import %s: application %s failed", job.id, application.group)
                application.rows[0].error("group", "未能立案：系统错误")
            job.done += 1
        job.state = "finished"

    return run


def _group(rows: list[Row]) -> list[Application]:
    labels = label_maps()
    groups: dict[str, Application] = {}
    for row in rows:
        if not row.values["group"]:
            row.error("group", "必填：同一申请的成员填写相同的申请序号")
            continue
        groups.setdefault(row.values["group"], Application(row.values["group"], [])).rows.append(row)
    for application in groups.values():
        values = [convert(r, labels) for r in application.rows]
        heads = [i for i, v in enumerate(values) if v.get("relation") == "applicant"]
        if len(heads) != 1:
            application.rows[0].error("relation", "每个申请须有且只有一行“申请人本人”")
            continue
        if any(r.errors for r in application.rows):
            continue
        application.form = _form(values[heads[0]], values)
        try:
            forms.validate_submission(APPLICATION_FORM, application.form)
        except ValidationFailed as exc:
            _attach(application, exc.errors)
    return list(groups.values())


def _form(head: dict, values: list[dict]) -> dict:
    member_keys = ("name", "id_number", "relation", "monthly_income", "employer")
    members = [{k: v[k] for k in member_keys if v.get(k) not in ("", None)} for v in values]
    applicant = {"name": head["name"], "id_number": head["id_number"], "phone": head["phone"]}
    if head.get("address"):
        applicant["address"] = head["address"]
    declared = {k: head[k] for k in ("deposits", "securities", "vehicles", "owns_property", "business")
                if head.get(k) not in ("", None)}
    return {"housing_type": head["housing_type"], "district": head["district"], "applicant": applicant,
            "household": {"type": head["household_type"], "members": members}, "declared": declared,
            "authorization": head["authorization"]}


def _attach(application: Application, errors: dict[str, list[str]]) -> None:
    """Put form-level errors on the row and column they came from."""
    head = next((r for r in application.rows if r.values.get("relation") in ("申请人本人", "applicant")),
                application.rows[0])
    for path, messages in errors.items():
        parts = path.split(".")
        row = head
        if parts[:2] == ["household", "members"] and len(parts) > 2 and parts[2].isdigit():
            index = int(parts[2])
            row = application.rows[index] if index < len(application.rows) else head
            parts = parts[:2] + parts[3:]
        key = _PATH_TO_KEY.get(".".join(parts), "group")
        for message in messages:
            row.error(key, message)


def status(identity: Identity, job_id: str) -> ImportJob:
    """One of the identity's imports (404 for anyone else's)."""
    job = _jobs.get(job_id)
    if job is None or (job.owner != identity.username and not identity.is_admin):
        raise NotFound(f"import {job_id} does not exist")
    return job


def recent(identity: Identity) -> list[ImportJob]:
    """The identity's imports in this server process, newest first."""
    return sorted((j for j in _jobs.values() if j.owner == identity.username), key=lambda j: j.created_at,
                  reverse=True)
