"""What operators watch: outbox queue depths and the health of every connector."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from app.db import db
from app.engine.operators import registry
from app.models import Incident, Job
from app.services import context

log = logging.getLogger(__name__)
JOB_STATES = ("queued", "running", "pending", "succeeded", "failed", "applied", "cancelled")
OPEN_STATES = JOB_STATES[:3]
HEALTH_TIMEOUT = 10.0


@dataclass
class ConnectorHealth:
    """One connector: its operations and the answer of its ``test_connection``."""

    name: str
    operations: list[str]
    kind: str
    checked: bool
    ok: bool
    message: str


def _in_context(app, fn):
    """Run a health check in the app's context (checks read the app's connector settings)."""
    with app.app_context():
        return fn()


def queue_depths() -> dict:
    """Jobs per state and per operator (open ones), open incidents, and the broker's own count."""
    with db.session() as session:
        by_state = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
        open_by_operator = session.execute(
            select(Job.operator, Job.state, func.count())
            .where(Job.state.in_(OPEN_STATES))
            .group_by(Job.operator, Job.state).order_by(Job.operator)
        ).all()
        incidents = session.scalar(select(func.count()).where(Incident.status == "open"))
    operators: dict[str, dict[str, int]] = {}
    for operator, state, count in open_by_operator:
        operators.setdefault(operator, {})[state] = count
    return {"by_state": {s: by_state.get(s, 0) for s in JOB_STATES},
            "by_operator": operators, "open_incidents": incidents or 0, "broker": _broker_depth()}


def _broker_depth() -> dict:
    runner = context.runner()
    queue = getattr(runner, "queue", None)
    if queue is None:
        return {"kind": "inline", "depth": None}
    try:
        return {"kind": "rq", "name": queue.name, "depth": queue.count}
    except Exception as exc:  # Redis down: say so instead of failing the page
        return {"kind": "rq", "name": getattr(queue, "name", ""), "depth": None, "error": str(exc)}


def connector_health(check: bool = True) -> list[ConnectorHealth]:
    """Every connector in the operator registry (grouped by the part before '/'), checked in parallel."""
    groups: dict[str, list] = {}
    for op in registry.all():
        groups.setdefault(op.name.split("/", 1)[0], []).append(op)
    checks = {name: next((o.health_check for o in ops if o.health_check), None) for name, ops in groups.items()}
    results: dict[str, tuple[bool, bool, str]] = {}
    if check:
        app = current_app._get_current_object()
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = {name: pool.submit(_in_context, app, fn) for name, fn in checks.items() if fn is not None}
            for name, future in futures.items():
                try:
                    ok, message = future.result(timeout=HEALTH_TIMEOUT)
                    results[name] = (True, bool(ok), str(message))
                except FutureTimeout:
                    results[name] = (True, False, f"no answer within {HEALTH_TIMEOUT:.0f} s")
                except Exception as exc:
                    log.warning("health check of %s failed: %s", name, exc)
                    results[name] = (True, False, f"{type(exc).__name__}: {exc}")
    out = []
    for name, ops in sorted(groups.items()):
        checked, ok, message = results.get(name, (False, False, ""))
        if checks[name] is None:
            message = "内部处理程序，无需连接"
        out.append(ConnectorHealth(name, sorted(o.name.split("/", 1)[1] for o in ops), ops[0].kind,
                                   checked, ok, message))
    return out


def waiting_timers(limit: int = 100) -> list[dict]:
    """Running instances waiting for a timer (公示 periods, deadlines), soonest first."""
    from app.models import ProcessInstance

    with db.session() as session:
        rows = session.scalars(
            select(ProcessInstance).where(ProcessInstance.status == "running",
                                          ProcessInstance.next_timer_due_at.is_not(None))
            .order_by(ProcessInstance.next_timer_due_at).limit(max(1, min(limit, 500)))
        ).all()
    return [{"id": r.id, "business_key": r.business_key, "process_key": r.process_key,
             "due_at": r.next_timer_due_at, "summary": r.summary or {}} for r in rows]
