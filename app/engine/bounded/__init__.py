"""Code typed into the browser, run bounded in CPU time and memory whatever it calls.

The restricted compiler of :mod:`app.engine.sandbox` refuses escapes and ticks a clock in
Python-level loops, but C-level work (``math.factorial(10**6)``, ``'%700000000d' % 1``, a regex,
``sum(map(...))``) does not tick and would run in the web process. :class:`BoundedSandbox` has
the same interface as :class:`~app.engine.sandbox.Sandbox` and runs:

* provably cheap code (:mod:`.cheap`: names, literals, comparisons, ``+``/``-``, ``len``…, no
  calls, loops or formatting) in the calling process, where it cannot run long;
* everything else in an evaluator process of :mod:`.pool` with ``RLIMIT_CPU``, ``RLIMIT_AS``
  and a wall-clock watchdog that kills it, and a cap on the size of what comes back;
* whole decision tables (FEEL has ``for``, list walks and string functions of its own) in one
  evaluator call per table (:meth:`BoundedSandbox.decide`), unless every cell is plain FEEL.

See docs/adr/0007-bounded-script-evaluation.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.engine.sandbox import Sandbox, to_json_value

from .cheap import is_cheap, is_cheap_table, uses_shadowed_call
from .pool import EvaluatorPool, EvaluatorUnavailable, get_pool
from .wire import DataTooLarge, ScriptMemoryError

__all__ = ["BoundedSandbox", "DataTooLarge", "EvaluatorPool", "EvaluatorUnavailable", "Limits",
           "ScriptMemoryError", "get_pool"]


@dataclass(frozen=True)
class Limits:
    """How far one evaluation may go."""

    timeout: float = 2.0
    memory_mb: int = 256
    max_data_bytes: int = 8 << 20
    workers: int = 2

    @classmethod
    def from_settings(cls, settings, timeout: float | None = None) -> Limits:
        """The limits configured in ``HOUSING_SCRIPT_*`` / ``HOUSING_MAX_INSTANCE_DATA_BYTES``."""
        return cls(timeout=settings.script_timeout if timeout is None else timeout,
                   memory_mb=settings.script_memory_mb, max_data_bytes=settings.max_instance_data_bytes,
                   workers=settings.script_workers)


def _calendar() -> dict | None:
    """The current app's holiday overrides, for the evaluator to count working days as the host does."""
    from app.engine import workdays

    calendar = workdays.current_calendar()
    return {"holidays": set(calendar.holidays), "workdays": set(calendar.workdays)}


def _now():
    from app.engine import workdays

    return workdays.now_utc()


class BoundedSandbox:
    """:class:`~app.engine.sandbox.Sandbox`'s interface, bounded in CPU time and memory.

    ``functions`` must be script functions registered with
    :func:`app.engine.script_functions.script_function` (they are looked up by name in the
    evaluator process, which imports the modules that define them).
    """

    def __init__(self, limits: Limits | None = None, functions: Mapping[str, Callable] | None = None,
                 pool: EvaluatorPool | None = None):
        from app.engine.script_functions import SCRIPT_FUNCTIONS

        self.limits = limits or Limits()
        self.timeout = self.limits.timeout
        functions = dict(functions or {})
        for name, func in functions.items():
            if SCRIPT_FUNCTIONS.get(name) is not func:
                raise ValueError(f"{name!r} is not a registered script function")
        self.functions = functions
        self._modules = sorted({func.__module__ for func in functions.values()})
        self._pool = pool
        self._fast = Sandbox(timeout=self.limits.timeout)

    @property
    def pool(self) -> EvaluatorPool:
        return self._pool or get_pool(self.limits.workers)

    def _request(self, op: str, context: Mapping[str, Any], **fields: Any) -> Any:
        request = {"op": op, "context": dict(context), "timeout": self.limits.timeout,
                   "memory_mb": self.limits.memory_mb, "max_bytes": self.limits.max_data_bytes,
                   "functions": sorted(self.functions), "modules": self._modules, "calendar": _calendar(),
                   "now": _now(), **fields}
        return self.pool.call(request, self.limits.timeout, self.limits.max_data_bytes)

    def _cheap(self, source: str, mode: str, *scopes: Mapping | None) -> bool:
        if not is_cheap(source, mode):
            return False
        return not any(scope and uses_shadowed_call(source, scope) for scope in scopes)

    def evaluate(self, expression: str, context: Mapping[str, Any], extra: Mapping | None = None) -> Any:
        """The value of an expression over ``context`` (never modified)."""
        if self._cheap(expression, "eval", context, extra):
            return self._fast.evaluate(expression, context, extra)
        return self._request("eval", context, source=expression, extra=dict(extra or {}))

    def execute(self, script: str, context: dict[str, Any], extra: Mapping | None = None) -> None:
        """Run a script; variables it assigns are written back into ``context``."""
        if self._cheap(script, "exec", context, extra):
            self._fast.execute(script, context, extra)
            return
        result = self._request("exec", context, source=script, extra=dict(extra or {}))
        context.clear()
        context.update(result)

    def decide(self, table, facts: Mapping[str, Any]) -> dict:
        """Evaluate a decision table on ``facts`` in an evaluator: ``{"outputs": {...},
        "matched": [(rule_id, row, description), ...]}`` (outputs JSON-safe); raises
        :class:`~app.engine.dmn.DmnEvaluationError` as the table would."""
        plain_table = getattr(table, "table", None) if getattr(table, "is_table_only", False) else table
        if plain_table is not None and not hasattr(plain_table, "is_table_only") and is_cheap_table(plain_table):
            return self._decide_here(plain_table, facts)
        return self._request("decide", facts, table=table)

    def _decide_here(self, table, facts: Mapping[str, Any]) -> dict:
        from app.engine.dmn.cells import CellEnv
        from app.engine.dmn.engine import run_table

        decided = run_table(table, CellEnv(facts, lambda expression, names: self.evaluate(expression,
                                                                                          {**facts, **names})))
        from app.engine.dmn.feel_values import to_plain

        return {"outputs": to_json_value(to_plain(decided.outputs), "decision result"),
                "matched": [(m.rule_id, m.row, m.description) for m in decided.matched]}
