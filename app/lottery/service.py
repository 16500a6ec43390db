"""The lottery's commitment, its draw, and what the public reads of a round.

:func:`commit_seed` and :func:`draw` are called by the ``allocation/commit`` and
``allocation/draw`` handlers inside their transaction; each leaves an audit event on the
round (subject ``allocation_round``/<round no>). :func:`public_rounds` and :func:`public_round`
are for anyone, without login: participants appear with masked names and ID numbers
(:mod:`app.privacy`), the seed only once the round is drawn.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import db, utcnow
from app.l10n import Message
from app.models import AllocationRound, Application
from app.privacy import mask_name
from app.services import audit_service
from app.services.errors import NotFound
from handlers import lottery

#: the audit subject of a round
SUBJECT = "allocation_round"
#: the version of the published JSON (``scripts/verify-lottery`` checks it)
FORMAT = "housing-lottery/1"
ACTOR = "system:lottery"


class LotteryRoundNotFound(NotFound):
    code = "lottery_round_not_found"


def commit_seed(session: Session, row: AllocationRound, instance_id: str | None = None) -> None:
    """Give a lottery round its secret seed and publish the seed's SHA-256 now (audited, seed not in it)."""
    seed = lottery.new_seed()
    row.seed, row.seed_hash = seed, lottery.commitment(seed)
    row.algorithm, row.seed_hash_published_at = lottery.ALGORITHM, utcnow()
    audit_service.record(session, ACTOR, "lottery.seed_committed", SUBJECT, row.round_no, {
        "seed_hash": row.seed_hash, "algorithm": row.algorithm, "participants": sorted(row.participants),
        "published_at": row.seed_hash_published_at.isoformat()}, instance_id)


def draw(session: Session, row: AllocationRound, instance_id: str | None = None) -> list[str]:
    """The drawn order of a committed round; the seed is revealed with it (audited)."""
    if lottery.commitment(row.seed or "") != row.seed_hash:
        raise ValueError(f"the stored seed of {row.round_no} does not match its published hash")
    order = lottery.draw_order(row.seed or "", row.participants)
    audit_service.record(session, ACTOR, "lottery.drawn", SUBJECT, row.round_no, {
        "seed": row.seed, "seed_hash": row.seed_hash, "algorithm": row.algorithm or lottery.ALGORITHM,
        "order": order}, instance_id)
    return order


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _summary(row: AllocationRound) -> dict:
    drawn = row.status != "committed"
    return {"round_no": row.round_no, "housing_type": row.housing_type, "district": row.district,
            "status": row.status, "drawn": drawn, "participant_count": len(row.participants), "units": len(row.units),
            "algorithm": row.algorithm or lottery.ALGORITHM, "seed_hash": row.seed_hash,
            "seed_hash_published_at": _iso(row.seed_hash_published_at or row.created_at),
            "seed": row.seed if drawn else None, "drawn_at": _iso(row.drawn_at) if drawn else None}


def public_rounds(district: str | None = None, limit: int = 50) -> list[dict]:
    """Lottery rounds, newest first (selection rounds have no draw to verify)."""
    query = select(AllocationRound).where(AllocationRound.method == "lottery")
    if district:
        query = query.where(AllocationRound.district == district)
    with db.session() as session:
        rows = session.scalars(query.order_by(AllocationRound.created_at.desc(), AllocationRound.id.desc())
                               .limit(max(1, min(limit, 200)))).all()
        return [_summary(r) for r in rows]


def public_round(round_no: str) -> dict:
    """One round as published: masked participants in canonical order, hash, seed and order once drawn."""
    with db.session() as session:
        row = session.scalar(select(AllocationRound).where(AllocationRound.round_no == round_no[:32],
                                                           AllocationRound.method == "lottery"))
        if row is None:
            raise LotteryRoundNotFound(Message("lottery.round_not_found", round_no=round_no))
        cases = {c.application_no: c for c in session.scalars(
            select(Application).where(Application.application_no.in_(row.participants)))}

        def person(number: str) -> dict:
            case = cases.get(number)
            # published like 公示: masked name and application number, never an ID number
            return {"application_no": number, "name": mask_name(case.applicant_name) if case else ""}

        published = _summary(row)
        drawn_order = row.result if published["drawn"] else []
        return published | {
            "format": FORMAT,
            "participants": [person(n) for n in sorted(set(row.participants))],
            "result": [{"rank": rank} | person(n) for rank, n in enumerate(drawn_order, start=1)]}
