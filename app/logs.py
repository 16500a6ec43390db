"""Logging set-up for the entry points (``housing`` commands, the WSGI module).

The app factory leaves logging alone: configuring the root logger is the program's choice, not
a library's, and a second app built in the same process (tests, an embedding server) must not
reconfigure the first one's output.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str | int = "INFO") -> None:
    """Send log records to stderr at ``level`` (the ``HOUSING_LOG_LEVEL`` setting)."""
    logging.basicConfig(level=level, format=FORMAT)
    # one line per task state change otherwise; SpiffWorkflow also reads its loggers' own level
    # (not the inherited one) to decide whether a record's extras list every task and its data
    for name in ("spiff", "spiff.task", "spiff.workflow"):
        logging.getLogger(name).setLevel(logging.WARNING)
