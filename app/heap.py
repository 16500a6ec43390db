"""Keeping the garbage collector off the long-lived heap of a server process.

CPython's cyclic collector walks every object it tracks in a full (oldest-generation)
collection. A web or RQ worker holds a large heap that lives as long as the process — the
imported modules, SQLAlchemy's mappers, the compiled process specs — and a full collection
walked all of it again and again while a step's short-lived task tree came and went: in
``bench.verification`` the collector took about a tenth of an RQ worker's CPU, three quarters
of that in full collections.

:func:`settle` collects once and freezes what is left (:func:`gc.freeze`): the collector no
longer walks it. A frozen object is still freed when nothing refers to it any more; only a
reference cycle among frozen objects (a process spec evicted from the bundle cache) stays until
the process ends. A process that serves calls :func:`settle` once it has started (``app.wsgi``,
``housing worker``, ``housing scheduler``, ``housing serve``); after that, at the end of each
app context (a request, a job batch, a scheduler tick), :func:`settle_if_grown` settles again if
a process spec has been compiled since (a new deployment's first use), so that the spec joins
the frozen heap too. Only a process that settled at start does so: tests and tools that create
apps are left alone.
"""

from __future__ import annotations

import gc
import threading

from app.engine.bundle import compiled_count

_lock = threading.Lock()
_settled_at: int | None = None  # the spec compilations counted at the last settle; None: never settled


def settle() -> None:
    """Collect garbage once, then leave everything still alive out of later collections."""
    global _settled_at
    with _lock:
        gc.collect()
        gc.freeze()
        _settled_at = compiled_count()


def settle_if_grown() -> bool:
    """:func:`settle` if this process settled before and has compiled a spec since; whether it did."""
    if _settled_at is None or compiled_count() == _settled_at:
        return False
    settle()
    return True


def after_context(_exc: BaseException | None = None) -> None:
    """``teardown_appcontext`` hook: :func:`settle_if_grown` once the context's work is done."""
    settle_if_grown()
