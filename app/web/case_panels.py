"""The case-specific panels of the task page, read from the case's process data.

Until a case carries the documented application structure, the page shows the (masked) process
data as it is; :func:`panels_for` is the one place that knows the structure.
"""

from __future__ import annotations

from app.auth.identity import Identity


def panels_for(identity: Identity, case) -> dict:
    """Panel data for the task page (empty panels are not shown)."""
    return {"raw": case.data if identity.is_staff else {}}
