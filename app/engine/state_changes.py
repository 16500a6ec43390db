"""A task's state change without a log record that nobody reads.

SpiffWorkflow's ``Task._set_state`` formats an INFO (or DEBUG) message and collects the record's
extras — the task's and its parent's ids, the state's name — on every change, before the logger
decides whether to keep it. A case runs thousands of state changes, and the processes here log
``spiff`` at WARNING (``app.logs``), so all of it was thrown away: a thirtieth of a worker's CPU.

:func:`install` puts :func:`set_state` in its place (``app.engine.runtime`` installs it on import).
The task's state and the time of its last change are set exactly as before; when the ``spiff.task``
logger would keep the record, SpiffWorkflow's own method runs and logs it as before.
"""

from __future__ import annotations

import logging
import time

from SpiffWorkflow.task import Task

#: SpiffWorkflow's own method (what runs when its records are wanted)
SPIFFWORKFLOW_SET_STATE = Task._set_state
_LOGGER = logging.getLogger("spiff.task")


def set_state(self: Task, value: int) -> None:
    """``Task._set_state``: force the state; the change's time is recorded as SpiffWorkflow does."""
    if _LOGGER.isEnabledFor(logging.DEBUG if value == self._state else logging.INFO):
        SPIFFWORKFLOW_SET_STATE(self, value)
    elif value != self._state:
        self.last_state_change = time.time()
        self._state = value


def install() -> None:
    """Use :func:`set_state` for every task (idempotent)."""
    Task._set_state = set_state
