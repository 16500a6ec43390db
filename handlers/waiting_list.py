"""轮候: the waiting list of approved households, per housing type and district.

Order: households sent to the back for declining too many offers come after everyone else
(``round_penalty``), then the higher score first, then the earlier registration, then the
application number (so the order is total and reproducible).
"""

from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import db
from app.engine.operators import operator
from app.models import WaitingListEntry
from handlers.records import find_case, now, transaction


class RegisterParams(Schema):
    """Parameters of ``waiting_list/register``."""

    application_no = fields.String(required=True)
    housing_type = fields.String(required=True)
    district = fields.String(required=True)
    household_size = fields.Integer(required=True)
    score = fields.Float(required=True)
    priority_groups = fields.List(fields.String(), load_default=list)


def queue(session: Session, housing_type: str, district: str, statuses: tuple[str, ...] = ("waiting",),
          *, lock: bool = False) -> list[WaitingListEntry]:
    """The waiting households of one list, first in line first.

    ``lock``: hold the entries until the transaction ends (``FOR UPDATE``), for a caller that takes
    households out of the list; a concurrent one waits, and then no longer sees the ones taken.
    """
    query = (select(WaitingListEntry)
             .where(WaitingListEntry.housing_type == housing_type, WaitingListEntry.district == district,
                    WaitingListEntry.status.in_(statuses))
             .order_by(WaitingListEntry.round_penalty, WaitingListEntry.score.desc(), WaitingListEntry.registered_at,
                       WaitingListEntry.application_no))
    if lock and not db.is_sqlite:
        query = query.with_for_update()
    return list(session.scalars(query))


def position_of(session: Session, entry: WaitingListEntry) -> int:
    """1-based place of an entry in its list."""
    for place, other in enumerate(queue(session, entry.housing_type, entry.district), start=1):
        if other.id == entry.id:
            return place
    return 0


@operator("waiting_list/register", params=RegisterParams)
def register(params: dict, ctx) -> dict:
    """Put the approved household on its waiting list (idempotent); returns its place."""
    registered_at = now()
    with transaction(ctx) as session:
        if session is None:
            return {"position": 1, "score": params["score"], "registered_at": registered_at.isoformat()}
        case = find_case(session, params["application_no"], lock=True)
        entry = session.scalar(select(WaitingListEntry).where(WaitingListEntry.application_id == case.id))
        if entry is None:
            entry = WaitingListEntry(application_id=case.id, application_no=case.application_no,
                                     registered_at=registered_at, status="waiting", declines=0, round_penalty=0)
            session.add(entry)
        entry.housing_type, entry.district = params["housing_type"], params["district"]
        entry.household_size, entry.score = params["household_size"], params["score"]
        entry.priority_groups, entry.updated_at = params["priority_groups"], now()
        case.priority_score = params["score"]
        session.flush()
        return {"position": position_of(session, entry), "score": entry.score,
                "registered_at": entry.registered_at.isoformat()}
