"""What every handler that writes the case tables shares: dry runs, transactions, case lookup.

Handlers run on workers, outside any request: each opens its own transaction and must be
idempotent (a job may run twice), so writes are upserts by natural keys (application number,
source and member, batch number …). An ``inline`` handler run by the step that reached its task
writes in that step's transaction instead (``ctx.extra["session"]``; ADR 0023).

A scenario run (``app/engine/scenarios.py``) calls handlers without a database: it marks the
context ``dry_run`` and a handler then computes its answer but writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db import db
from app.engine.operators import BpmnError, OperatorContext
from app.models import Application
from connectors.base.dates import parse_date


def dry_run(ctx: OperatorContext | None) -> bool:
    """True when the handler must not touch the database (scenario runs, previews)."""
    return ctx is None or bool(ctx.extra.get("dry_run"))


@contextmanager
def transaction(ctx: OperatorContext | None) -> Iterator[Session | None]:
    """A committed transaction, or ``None`` on a dry run (the caller then writes nothing); for a
    handler run inline, the step's own session (committed, or rolled back, with the step)."""
    if dry_run(ctx):
        yield None
        return
    if ctx is not None and ctx.extra.get("session") is not None:
        yield ctx.extra["session"]
        return
    with db.transaction() as session:
        yield session


#: a case by its number, and locked: most steps of a case look it up (built once, bound parameters)
_CASE = select(Application).where(Application.application_no == bindparam("no"))
_LOCKED_CASE = _CASE.with_for_update()


def find_case(session: Session, application_no: str, *, lock: bool = False) -> Application:
    """The case with that number; a ``CaseNotFound`` BPMN error when there is none."""
    case = session.scalar(_LOCKED_CASE if lock and not db.is_sqlite else _CASE, {"no": application_no})
    if case is None:
        raise BpmnError("CaseNotFound", f"no case with application number {application_no!r}")
    return case


def now() -> datetime:
    """The current time in UTC (aware)."""
    return datetime.now(UTC)


def as_date(value: str | date | datetime | None) -> date | None:
    """An ISO date (or date-time) string as a date; dates pass through."""
    return parse_date(value)


def as_datetime(value: str | datetime | None) -> datetime | None:
    """An ISO time string as an aware datetime (UTC when it carries no zone)."""
    if value is None or value == "":
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
