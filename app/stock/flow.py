"""Status changes made by the flows: the allocation draw, the round's answers, lease signing, exit.

Handlers call these inside their own transaction with the unit code of an offer or lease. A
code that is not in the stock (a unit typed into an older round) is left alone: each function
then returns ``False``. Calls are idempotent, since a job may run twice: a unit already in the
target state for the same ``ref`` is not changed again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.stock.catalogue import FLOW
from app.stock.models import HousingUnit, UnitStatusChange


def locked_unit(session: Session, code: str) -> HousingUnit | None:
    """The stock unit with ``code``, locked for the change (``None``: not in the stock)."""
    if not code:
        return None
    return session.scalar(select(HousingUnit).where(HousingUnit.code == code).with_for_update())


def change(session: Session, unit: HousingUnit, to_status: str, actor: str, reason: str, ref: str = "") -> None:
    """Set the status and record who, when and why."""
    session.add(UnitStatusChange(unit_id=unit.id, from_status=unit.status, to_status=to_status, actor=actor,
                                 reason=reason, ref=ref, changed_at=utcnow()))
    unit.status, unit.updated_at = to_status, utcnow()
    unit.held_by = ref if to_status in ("reserved", "let") else ""


def apply(session: Session, action: str, code: str, reason: str, ref: str, actor: str = "system") -> bool:
    """Apply a flow ``action`` (reserve, release, let, vacate) to the unit ``code`` if it is in the stock.

    Returns whether the unit is in the stock and now in the action's target state. A release or
    vacate for a ``ref`` that no longer holds the unit changes nothing (the unit moved on).
    """
    unit = locked_unit(session, code)
    if unit is None:
        return False
    sources, target = FLOW[action]
    if unit.status == target and (unit.held_by == ref or target == "vacant"):
        return True
    if unit.status not in sources:
        return False
    if action in ("release", "vacate") and unit.held_by and unit.held_by != ref:
        return False
    change(session, unit, target, actor, reason, ref)
    return True
