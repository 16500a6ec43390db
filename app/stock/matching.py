"""Which units a household may be offered: the ``unit_matching`` decisions (policy data).

``processes/unit_matching.dmn`` holds two tables policy staff edit in the modeler and deploy
like any decision: ``unit_matching`` gives the bedroom and area band of a household (by housing
type and household size), ``unit_accessibility`` whether it must get an accessible unit (lift
or ground floor; elderly or disabled members). The newest deployed version is used; before a
first deployment, the file in ``processes/``.

:func:`assign` is the draw's matching: households in drawn order each take the first remaining
unit their band allows. Units that are not in the stock (typed into a round by hand) fit
everyone, as before the stock existed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.dmn import DmnError, evaluate_decision, parse_decisions
from app.services.errors import DefinitionNotFound
from app.stock.models import HousingUnit

BAND_DECISION = "unit_matching"
ACCESS_DECISION = "unit_accessibility"
FILE_NAME = "unit_matching.dmn"
ACCESS_GROUPS = {"elderly", "disability"}


@dataclass(frozen=True)
class Band:
    """What a household may be offered."""

    min_rooms: int
    max_rooms: int
    min_area: float
    max_area: float
    accessible_only: bool

    def allows(self, unit: HousingUnit) -> bool:
        """Whether ``unit`` is within the band."""
        return (self.min_rooms <= unit.rooms <= self.max_rooms and self.min_area <= unit.usable_area <= self.max_area
                and (unit.accessible or not self.accessible_only))

    def as_dict(self) -> dict:
        return {"min_rooms": self.min_rooms, "max_rooms": self.max_rooms, "min_area": self.min_area,
                "max_area": self.max_area, "accessible_only": self.accessible_only}


#: no rule matched: nothing is offered (the table must say what a household may get)
NOTHING = Band(1, 0, 0.0, 0.0, False)


@lru_cache(maxsize=16)
def _parsed(_digest: str, content: bytes, file_name: str) -> dict:
    return parse_decisions(content, file_name)


def _decisions(session: Session) -> dict:
    from app.services import context, definition_service

    found = {}
    for key in (BAND_DECISION, ACCESS_DECISION):
        try:
            definition = definition_service.latest(session, key, "decision")
        except DefinitionNotFound:
            continue
        found.update({k: v for k, v in _parsed(definition.content_hash, bytes(definition.file.content),
                                                definition.file.file_name).items() if k == key})
    if len(found) < 2:
        path = Path(context.settings().processes_dir) / FILE_NAME
        content = path.read_bytes()
        defaults = _parsed("file:" + hashlib.sha256(content).hexdigest(), content, FILE_NAME)
        found = {key: found.get(key) or defaults[key] for key in (BAND_DECISION, ACCESS_DECISION)}
    return found


def facts_of(housing_type: str, household_size: int, priority_groups: list | tuple) -> dict:
    """The decisions' inputs for one household."""
    groups = set(priority_groups or ())
    return {"housing_type": housing_type, "household_size": int(household_size or 1),
            "elderly": "elderly" in groups, "disabled": "disability" in groups}


def band_for(session: Session, facts: dict) -> Band:
    """The band the deployed decisions give ``facts`` (:data:`NOTHING` if no rule matches)."""
    decisions = _decisions(session)
    try:
        band = evaluate_decision(decisions[BAND_DECISION], facts).outputs or {}
        access = evaluate_decision(decisions[ACCESS_DECISION], facts).outputs or {}
    except DmnError:
        return NOTHING
    if band.get("min_rooms") is None:
        return NOTHING
    return Band(int(band["min_rooms"]), int(band["max_rooms"]), float(band["min_area"]), float(band["max_area"]),
                bool(access.get("accessible_only")))


def assign(session: Session, housing_type: str, households: list[tuple[str, int, list]], units: list[dict]) \
        -> list[tuple[str, dict]]:
    """Pair households (``(application_no, size, priority_groups)`` in drawn order) with units.

    Each takes the first unit left that is either outside the stock, or vacant in the stock and
    within the household's band; a household no unit fits is passed over this round.
    """
    codes = [u.get("code") for u in units]
    stock = {u.code: u for u in session.scalars(select(HousingUnit).where(HousingUnit.code.in_(codes)))}
    left = [u for u in units if u.get("code") not in stock or stock[u["code"]].status == "vacant"]
    pairs = []
    for number, size, groups in households:
        if not left:
            break
        band = band_for(session, facts_of(housing_type, size, groups))
        chosen = next((u for u in left if u.get("code") not in stock or band.allows(stock[u["code"]])), None)
        if chosen is not None:
            left.remove(chosen)
            pairs.append((number, chosen))
    return pairs
