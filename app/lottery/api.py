"""The public lottery record as JSON, no login: ``GET /api/v1/public/lottery[/<round_no>]``.

The round document is what ``scripts/verify-lottery`` reads: it recomputes ``sha256(seed)``
against ``seed_hash`` and the order from ``seed`` and the participants (``docs/lottery.md``).
"""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.lottery import service

bp = Blueprint("public_lottery_api", __name__, url_prefix="/api/v1/public/lottery")
bp.before_request(refuse_unstorable_input)


class LotteryRoundSummary(Schema):
    round_no = fields.String(required=True)
    housing_type = fields.String(required=True, metadata={"description": "gongzufang | baozufang"})
    district = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "committed (hash published) | drawn | closed"})
    drawn = fields.Boolean(required=True, metadata={"description": "true once the seed and the order are public"})
    participant_count = fields.Integer(required=True)
    units = fields.Integer(required=True, metadata={"description": "how many units the round offers"})
    algorithm = fields.String(required=True, metadata={"description": "the draw algorithm, see docs/lottery.md"})
    seed_hash = fields.String(required=True, metadata={"description": "SHA-256 of the seed, lowercase hex"})
    seed_hash_published_at = fields.String(required=True, metadata={"description": "ISO 8601, UTC"})
    seed = fields.String(allow_none=True, metadata={"description": "null until the draw"})
    drawn_at = fields.String(allow_none=True)


class LotteryRoundList(Schema):
    rounds = fields.List(fields.Nested(LotteryRoundSummary), required=True)


class LotteryPerson(Schema):
    application_no = fields.String(required=True, metadata={"description": "the participant's id in the draw"})
    name = fields.String(required=True, metadata={"description": "masked, e.g. 陈*东"})


class LotteryDrawn(LotteryPerson):
    rank = fields.Integer(required=True)


class LotteryRound(LotteryRoundSummary):
    format = fields.String(required=True, metadata={"description": "housing-lottery/1"})
    participants = fields.List(fields.Nested(LotteryPerson), required=True,
                               metadata={"description": "in canonical order (application numbers sorted)"})
    result = fields.List(fields.Nested(LotteryDrawn), required=True,
                         metadata={"description": "the drawn order; empty until the draw"})


@bp.get("")
@operation("List lottery rounds", tag="public", responses={200: LotteryRoundList}, auth=False,
           description="No login. Newest first; the seed is null until the round is drawn.")
def rounds():
    """Every lottery round's published hash, and the seed once drawn."""
    return {"rounds": service.public_rounds()}


@bp.get("/<round_no>")
@operation("One lottery round, verifiable", tag="public", responses={200: LotteryRound}, auth=False,
           description="No login. Masked participants, the seed hash and when it was published, the seed and the "
                       "drawn order after the draw. scripts/verify-lottery recomputes both from this document.")
def round_detail(round_no: str):
    """The published record of one lottery round."""
    return service.public_round(round_no)
