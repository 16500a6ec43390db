"""Operators the engine tests bind their diagrams to (registered on import)."""

from __future__ import annotations

import threading
import time

from marshmallow import Schema, fields

from app.engine.operators import BpmnError, OperatorError, RetryPolicy, operator


class ValueParams(Schema):
    value = fields.Raw(required=True)


class SleepParams(Schema):
    seconds = fields.Float(required=True)
    marker = fields.String(load_default="")


#: name → number of calls, for assertions
CALLS: dict[str, int] = {}
_lock = threading.Lock()


def _count(name: str) -> int:
    with _lock:
        CALLS[name] = CALLS.get(name, 0) + 1
        return CALLS[name]


@operator("test/echo", params=ValueParams, retry=RetryPolicy(max_attempts=3, backoff_base=0.01))
def echo(params, ctx):
    """Return the value it was given."""
    _count("test/echo")
    return {"echo": params["value"], "attempt": ctx.attempt}


@operator("test/down", params=ValueParams, retry=RetryPolicy(max_attempts=3, backoff_base=0.01))
def down(params, ctx):
    """Always fails with a retryable SourceUnavailable."""
    _count("test/down")
    raise OperatorError("SourceUnavailable", "the source did not answer")


@operator("test/flaky_once", params=ValueParams, retry=RetryPolicy(max_attempts=3, backoff_base=0.01))
def flaky_once(params, ctx):
    """Fails on the first attempt only."""
    _count("test/flaky_once")
    if ctx.attempt == 1:
        raise OperatorError("SourceUnavailable", "first attempt fails")
    return {"ok": True, "attempt": ctx.attempt}


@operator("test/business_error", params=ValueParams)
def business_error(params, ctx):
    """Raises a BPMN error at once."""
    _count("test/business_error")
    raise BpmnError("PersonNotFound", "no such person")


@operator("test/sleep", params=SleepParams, retry=RetryPolicy(max_attempts=5, backoff_base=0.01), timeout=60)
def sleep(params, ctx):
    """Sleep, then answer (a worker can be killed meanwhile)."""
    _count("test/sleep")
    time.sleep(params["seconds"])
    return {"slept": params["seconds"], "marker": params["marker"]}


@operator("test/slow_first", params=SleepParams, retry=RetryPolicy(max_attempts=5, backoff_base=0.01), timeout=120)
def slow_first(params, ctx):
    """Sleep on the first attempt only (its worker is killed meanwhile); answer at once after."""
    _count("test/slow_first")
    if ctx.attempt == 1:
        time.sleep(params["seconds"])
    return {"marker": params["marker"], "attempt": ctx.attempt}


#: test/switch fails with SourceUnavailable while SWITCH["down"] is true
SWITCH = {"down": True}


@operator("test/switch", params=ValueParams, retry=RetryPolicy(max_attempts=2, backoff_base=0.01))
def switch(params, ctx):
    """Fails while the switch is down, answers when it is up."""
    _count("test/switch")
    if SWITCH["down"]:
        raise OperatorError("SourceUnavailable", "switched off")
    return {"ok": True}


def _note_user(ctx, username: str) -> None:
    """A row written where the handler writes: the step's session when run inline, else its own."""
    from app.models import User
    from handlers.records import transaction

    with transaction(ctx) as session:
        session.add(User(username=username, display_name=username, password_hash="-"))
        session.flush()


@operator("test/inline_note", params=ValueParams, inline=True)
def inline_note(params, ctx):
    """Record the value as a user row and say where it ran (inline: in the step's transaction)."""
    _count("test/inline_note")
    _note_user(ctx, f"inline_{params['value']}")
    return {"noted": params["value"], "ran": "step" if ctx.extra.get("session") is not None else "job"}


@operator("test/inline_flaky", params=ValueParams, inline=True)
def inline_flaky(params, ctx):
    """Writes a row, then fails when run in a step; run as a job it succeeds."""
    _count("test/inline_flaky")
    in_step = ctx.extra.get("session") is not None
    _note_user(ctx, f"inline_{params['value']}_{'step' if in_step else 'job'}")
    if in_step:
        raise OperatorError("Busy", "fails when run in the step")
    return {"ran": "job"}


#: the two calls of ``test/query_meet`` wait for each other here: they pass only side by side
MEETING = threading.Barrier(2, timeout=5)
#: test/query_switch fails with SourceUnavailable while QUERY_SWITCH["down"] is true
QUERY_SWITCH = {"down": True}


@operator("test/query_meet", params=ValueParams, query=True)
def query_meet(params, ctx):
    """A query that answers once another call of it has arrived (each waits up to 5 s)."""
    _count("test/query_meet")
    try:
        MEETING.wait()
    except threading.BrokenBarrierError:
        raise OperatorError("Alone", "no other call arrived meanwhile", retryable=False) from None
    return {"echo": params["value"], "attempt": ctx.attempt, "key": ctx.idempotency_key}


@operator("test/query_switch", params=ValueParams, query=True,
          retry=RetryPolicy(max_attempts=3, backoff_base=0.01))
def query_switch(params, ctx):
    """A query that fails (retryably) while the switch is down."""
    _count("test/query_switch")
    if QUERY_SWITCH["down"]:
        raise OperatorError("SourceUnavailable", "switched off")
    return {"ok": True, "attempt": ctx.attempt}


@operator("test/query_not_found", params=ValueParams, query=True)
def query_not_found(params, ctx):
    """A query whose answer is a business outcome for the diagram to route."""
    _count("test/query_not_found")
    raise BpmnError("PersonNotFound", "no such person")
