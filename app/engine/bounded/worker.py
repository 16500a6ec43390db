"""An evaluator process: runs scripts, expressions and decision tables for its host, bounded.

Started by :mod:`app.engine.bounded.pool` as ``python -m app.engine.bounded.worker`` — a fresh
interpreter that holds no database connection, no secret and no thread of the host. It reads
requests from stdin and writes replies to stdout, one length-prefixed frame each, and:

* limits its address space (``RLIMIT_AS``) to what it needs at rest plus the request's memory
  limit, so ``'%700000000d' % 1`` fails with ``MemoryError`` here, not in the web process;
* arms ``RLIMIT_CPU`` for each request: past the limit the kernel sends ``SIGXCPU``, turned
  into :class:`~app.engine.sandbox.ScriptTimeout` as soon as Python runs again; code stuck in
  one C call (``math.factorial(10**6)``) is killed by the host's watchdog on wall time;
* runs at a slightly lower priority than its host (:data:`NICE`), so a busy evaluator does
  not starve the web process;
* refuses a reply larger than the request's data limit.

It exits when its host closes the pipe, after a ``MemoryError``, and when it has used most of
its lifetime CPU budget (the hard CPU limit can only be lowered): the host starts another.
"""

from __future__ import annotations

import importlib
import math
import os
import resource
import signal
import sys
from typing import Any

LIFETIME_CPU = 3600
#: A little below the host's priority: a busy evaluator yields to requests, yet a round trip
#: is not left waiting behind every other process on a loaded machine.
NICE = 2
_MB = 1 << 20
_state = {"armed": False, "timeout": 0.0}


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _on_sigxcpu(signum, frame) -> None:
    if _state["armed"]:
        from app.engine.sandbox import ScriptTimeout

        _state["armed"] = False
        raise ScriptTimeout(f"script used more than its CPU time limit of {_state['timeout']:g} s")


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _arm(timeout: float, memory_mb: int, hard_cpu: int) -> None:
    soft = min(hard_cpu, math.ceil(_cpu_used() + timeout))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cpu))
    _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard_as < 0 else min(limit, hard_as), hard_as))
    _state.update(armed=True, timeout=timeout)


def _disarm(hard_cpu: int) -> None:
    _state["armed"] = False
    resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))
    _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard_as, hard_as))


def _sync_calendar(calendar: dict | None, now) -> None:
    """The host's holiday overrides and its clock: ``now()`` in a script is the host's now."""
    from app.engine import workdays

    if now is not None:
        workdays.now_utc = lambda: now

    if calendar is not None:
        workdays.use_outside_app(workdays.WorkCalendar(frozenset(calendar.get("holidays", ())),
                                                       frozenset(calendar.get("workdays", ()))))


def _functions(modules: list[str], names: list[str]) -> dict:
    for module in modules:
        importlib.import_module(module)
    from app.engine.script_functions import SCRIPT_FUNCTIONS

    return {name: SCRIPT_FUNCTIONS[name] for name in names if name in SCRIPT_FUNCTIONS}


def handle(request: dict) -> Any:
    """Run one request (already inside its limits) and return the reply value."""
    from app.engine.sandbox import Sandbox, to_json_value

    from . import wire

    _sync_calendar(request.get("calendar"), request.get("now"))
    sandbox = Sandbox(timeout=request["timeout"], functions=_functions(request["modules"], request["functions"]))
    op, context = request["op"], request["context"]
    if op == "eval":
        value = sandbox.evaluate(request["source"], context, request.get("extra"))
        wire.check_plain(value, "the expression's value")
        return value
    if op == "exec":
        sandbox.execute(request["source"], context, request.get("extra"))
        return context
    if op == "decide":
        from app.engine.dmn.drg import run_decision

        # a decision table, or a decision evaluated with the decisions it requires
        decided = run_decision(request["table"], context, sandbox.evaluate)
        from app.engine.dmn.feel_values import to_plain

        return {"outputs": to_json_value(to_plain(decided.outputs), "decision result"),
                "matched": [(m.rule_id, m.row, m.description) for m in decided.matched]}
    raise ValueError(f"unknown request {op!r}")


def _reply(out_fd: int, request: dict | None, ok: bool, value: Any, last: bool) -> None:
    from . import wire

    payload = wire.dumps({"ok": ok, "value": value, "last": last})
    limit = request["max_bytes"] if request else 1 << 16
    if len(payload) > limit:
        error = wire.DataTooLarge(f"the script's data ({len(payload):,} bytes) is over the limit of "
                                  f"{limit:,} bytes")
        payload = wire.dumps({"ok": False, "value": wire.error_to_dict(error), "last": last})
    wire.write_frame(out_fd, payload)


def serve(in_fd: int, out_fd: int) -> None:
    """Answer requests until the host closes the pipe."""
    import pickle

    from . import wire

    hard_cpu = math.ceil(_cpu_used()) + LIFETIME_CPU
    resource.setrlimit(resource.RLIMIT_CPU, (hard_cpu, hard_cpu))
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    wire.write_frame(out_fd, wire.dumps({"ok": True, "value": "ready", "last": False}))
    while True:
        try:
            request = pickle.loads(wire.read_exact(in_fd, wire.frame_length(wire.read_exact(in_fd, wire.HEADER_SIZE))))
        except EOFError:
            return
        try:
            _arm(request["timeout"], request["memory_mb"], hard_cpu)
            try:
                ok, value, fatal = True, handle(request), False
            finally:
                _disarm(hard_cpu)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the host
            _state["armed"] = False
            _disarm(hard_cpu)
            ok, value = False, wire.error_to_dict(exc)
            fatal = isinstance(exc, (MemoryError, KeyboardInterrupt, SystemExit))
        last = fatal or _cpu_used() > hard_cpu - 60
        _reply(out_fd, request, ok, value, last)
        if last:
            return


def main() -> None:
    # the pipe to the host moves off fds 0/1, so nothing that prints can corrupt a frame
    in_fd, out_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.nice(NICE)
    import app.engine.dmn  # noqa: F401 - loaded once, before the first request
    import app.engine.sandbox  # noqa: F401
    import app.engine.script_functions  # noqa: F401

    serve(in_fd, out_fd)
    sys.exit(0)


if __name__ == "__main__":
    main()
