"""One run of an operation: its deadline, an idempotency key per request, the evidence kept.

A connector's operation talks to its platform only through a :class:`Call`. The call gives
every request an idempotency key derived from the job's key (``<job key>:<n>``, the same on
every job attempt because an operation sends its requests in a fixed order), stops when the
operation's deadline has passed, and records every raw answer for the evidence.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from app.engine.operators import OperatorContext

if TYPE_CHECKING:
    from connectors.base.connector import Connector
    from connectors.base.http import Unwrap


class Call:
    """The requests of one operation run, in order."""

    def __init__(self, connector: Connector, ctx: OperatorContext):
        self.connector = connector
        self.ctx = ctx
        self.deadline = time.monotonic() + connector.config.deadline
        self.evidence: list[dict[str, Any]] = []
        #: Which member the following requests are about (recorded with the evidence).
        self.scope: int | None = None
        self._sequence = 0

    def post(self, path: str, body: Any, *, label: str, unwrap: Unwrap | None = None) -> Any:
        """POST a JSON body; return the unwrapped payload of the answer."""
        return self._exchange("POST", path, body=body, params=None, label=label, unwrap=unwrap)

    def get(self, path: str, params: dict[str, str] | None = None, *, label: str, unwrap: Unwrap | None = None) -> Any:
        """GET with query parameters; return the unwrapped payload of the answer."""
        return self._exchange("GET", path, body=None, params=params, label=label, unwrap=unwrap)

    def next_idempotency_key(self) -> str:
        """``<job idempotency key>:<request number>``."""
        self._sequence += 1
        return f"{self.ctx.idempotency_key}:{self._sequence}"

    def _exchange(
        self, method: str, path: str, *, body: Any, params: dict[str, str] | None, label: str, unwrap: Unwrap | None
    ) -> Any:
        payload, raw = self.connector.http.exchange(
            method,
            path,
            unwrap=unwrap or self.connector.envelope.unwrap,
            deadline=self.deadline,
            idempotency_key=self.next_idempotency_key(),
            body=body,
            params=params,
        )
        entry: dict[str, Any] = {"request": label, "answer": raw}
        if self.scope is not None:
            entry = {"member": self.scope, **entry}
        self.evidence.append(entry)
        return payload
