"""``/api/v1/choice``: a choice round as a household or staff see it, and a household taking a unit.

``GET /rounds/<round_no>`` answers a household of the round with its own view (place, whose
turn, the units it may still choose) and staff with the round's progress; ``POST
/rounds/<round_no>/choice`` takes a unit in the caller's window (409 ``unit_taken`` when another
household was first, 409 ``not_your_turn`` outside the window).
"""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import RAISE, Schema, fields, validate

from app.api.auth import current_identity, requires
from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.choice import service

bp = Blueprint("api_choice", __name__, url_prefix="/api/v1/choice")
bp.before_request(refuse_unstorable_input)
ROLES = ("applicant", *service.STAFF_ROLES, "admin")


class ChoiceBody(Schema):
    class Meta:
        unknown = RAISE

    unit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class Turn(Schema):
    rank = fields.Integer(required=True)
    application_no = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "masked"})
    due_at = fields.String(allow_none=True, metadata={"description": "end of the window, ISO 8601"})
    seconds_left = fields.Integer(allow_none=True)


class ChoiceUnit(Schema):
    code = fields.String(required=True)
    project = fields.String(required=True)
    address = fields.String(required=True)
    layout = fields.String(required=True)
    rooms = fields.Integer(required=True)
    usable_area = fields.Float(required=True)
    floor = fields.Integer(required=True)
    monthly_rent = fields.Float(required=True)
    facilities = fields.List(fields.String(), required=True)
    accessible = fields.Boolean(required=True)


class ProgressRow(Schema):
    rank = fields.Integer(required=True)
    application_no = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "waiting | choosing | accepted | expired | passed"})
    unit_code = fields.String(required=True)
    at = fields.String(allow_none=True)


class ChoiceRound(Schema):
    round_no = fields.String(required=True)
    district = fields.String(required=True)
    housing_type = fields.String(required=True)
    round_status = fields.String(required=True, metadata={"description": "committed | choosing | closed"})
    current = fields.Nested(Turn, allow_none=True)
    # a household's view
    application_no = fields.String()
    rank = fields.Integer(allow_none=True)
    households = fields.Integer()
    status = fields.String(metadata={"description": "the household's turn: waiting | choosing | accepted | expired "
                                                    "| passed"})
    my_turn = fields.Boolean()
    task_id = fields.String(allow_none=True)
    chosen = fields.Dict(allow_none=True)
    units = fields.List(fields.Nested(ChoiceUnit), metadata={"description": "vacant units the household may take"})
    # the staff's view
    units_total = fields.Integer(metadata={"description": "units in the round"})
    units_left = fields.Integer()
    rows = fields.List(fields.Nested(ProgressRow))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class Chosen(Schema):
    round_no = fields.String(required=True)
    application_no = fields.String(required=True)
    unit_code = fields.String(required=True)
    address = fields.String(required=True)


@bp.get("/rounds/<round_no>")
@requires(*ROLES)
@operation("A choice round: a household's own view, or the progress for staff", tag="choice",
           responses={200: ChoiceRound})
def get_round(round_no: str):
    identity = current_identity()
    if identity.is_admin or set(identity.roles) & set(service.STAFF_ROLES):
        return service.progress(identity, round_no)
    return service.for_household(identity, round_no)


@bp.post("/rounds/<round_no>/choice")
@requires("applicant")
@operation("Take a unit in the household's window (atomic: of two households one wins)", tag="choice",
           body=ChoiceBody, responses={200: Chosen}, errors=(409,),
           description="409 unit_taken: another household took the unit first; 409 not_your_turn: outside the "
                       "household's window.")
def choose(round_no: str):
    body = ChoiceBody().load(request.get_json(silent=True) or {})
    return service.choose(current_identity(), round_no, body["unit_code"])
