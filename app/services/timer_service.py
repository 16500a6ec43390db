"""Timers: firing due intermediate/boundary timers and starting processes on start timers.

Instances store their next due time, so the scheduler loads only instances with something due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import select

from app.db import db, utcnow
from app.engine.sandbox import Sandbox
from app.engine.script_functions import SCRIPT_FUNCTIONS
from app.models import ProcessInstance, StartTimer
from app.services import instance_service
from app.services.step import Step, with_instance

log = logging.getLogger(__name__)
BATCH = 200


def _evaluate(expression: str) -> tuple[str, str]:
    kind, _, text = expression.partition(":")
    value = Sandbox(timeout=1.0, functions=SCRIPT_FUNCTIONS).evaluate(text, {})
    return kind, str(value)


def first_due(expression: str, now: datetime | None = None) -> datetime | None:
    """When a start timer (``timeDate:…``, ``timeDuration:…``, ``timeCycle:…``) first fires.

    A cycle that began in the past fires at its first occurrence from now on (no catch-up).
    """
    now = now or utcnow()
    try:
        kind, value = _evaluate(expression)
        if kind == "timeDate":
            return TimerEventDefinition.get_datetime(value)
        if kind == "timeDuration":
            return now + TimerEventDefinition.get_timedelta_from_start(
                TimerEventDefinition.parse_iso_duration(value), now)
        if kind == "timeCycle":
            return _next_occurrence(value, now, inclusive=True)
    except Exception as exc:  # a bad expression must not stop deploys
        log.warning("start timer %r cannot be scheduled: %s", expression, exc)
    return None


def _next_occurrence(cycle: str, after: datetime, inclusive: bool = False) -> datetime | None:
    cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(cycle)
    step = duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    if cycles == 0 or step.total_seconds() <= 0:
        return None
    if start > after or (inclusive and start == after):
        return start
    n = int((after - start) / step) + 1
    if cycles > 0 and n >= cycles:
        return None
    return start + n * step


def _next_due(expression: str, fired_at: datetime) -> datetime | None:
    kind, value = _evaluate(expression)
    return _next_occurrence(value, fired_at) if kind == "timeCycle" else None


def fire_due_timers(now: datetime | None = None) -> int:
    """Advance every running instance whose next timer is due; returns how many."""
    now = now or utcnow()
    with db.session() as session:
        ids = list(session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.status == "running", ProcessInstance.next_timer_due_at <= now)
            .order_by(ProcessInstance.next_timer_due_at).limit(BATCH)
        ))

    def action(step: Step) -> None:
        due = step.instance.next_timer_due_at
        if step.instance.status != "running" or due is None or due > now:
            return  # fired meanwhile (another scheduler, an operator) or moved on
        step.run.fire_due_timers()
        step.audit("timers.checked", {"due_before": now.isoformat()})

    for instance_id in ids:
        try:
            with_instance(instance_id, action, "scheduler")
        except Exception:
            log.exception("firing timers of instance %s failed", instance_id)
    return len(ids)


def fire_start_timers(now: datetime | None = None) -> list[str]:
    """Start an instance of every process whose start timer is due; returns the new ids."""
    now = now or utcnow()
    started = []
    with db.session() as session:
        due = [(t.process_key, t.expression) for t in session.scalars(
            select(StartTimer).where(StartTimer.next_due_at <= now))]
    for key, expression in due:
        with db.transaction() as session:
            row = session.get(StartTimer, key, with_for_update=not db.is_sqlite)
            if row is None or row.next_due_at is None or row.next_due_at > now:
                continue
            row.last_fired_at = now
            row.next_due_at = _next_due(expression, now)
        instance = instance_service.start_instance(key, {}, None, "scheduler",
                                                   trigger=lambda run: run.fire_start_timer())
        started.append(instance.id)
    return started
