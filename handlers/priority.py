"""The waiting-list priority score (轮候分) of an approved household.

The policy part is data: which groups get how many points is the ``<type>_priority`` decision
table, and the most points each measured need can earn are cells of the ``<type>_standards``
table (the diagram passes them as ``weights``). This handler only applies them, so that among
equal groups the household in greater need ranks first:

============================  ==============================================================
priority groups               the points of every matching row of the priority table
income (公租房 only)           up to ``income``: ``income × (income line − per-capita income) / income line``
housing                       up to ``housing``: ``housing × (1 − per-capita area / area line)``, all of it with none
household size                ``per_member`` for each member beyond the applicant, at most ``max_members``
============================  ==============================================================

Equal scores are ordered by registration time on the waiting list.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from app.engine.operators import operator


class ScoreWeights(Schema):
    """The most points each part can earn (cells of the standards table)."""

    income = fields.Float(load_default=0.0, metadata={"description": "income-gap points (none without an income line)"})
    housing = fields.Float(required=True, metadata={"description": "housing-need points"})
    per_member = fields.Float(required=True, metadata={"description": "points per member beyond the applicant"})
    max_members = fields.Float(required=True, metadata={"description": "cap on the household-size points"})


class ScoreParams(Schema):
    """Parameters of ``ranking/priority_score``."""

    housing_type = fields.String(required=True)
    facts = fields.Dict(required=True, metadata={"description": "household facts (verification)"})
    eligibility = fields.Dict(required=True, metadata={"description": "{standards, priority_points …}"})
    weights = fields.Nested(ScoreWeights, load_default=None,
                            metadata={"description": "the most points per part, from the standards table"})


#: the weights of diagram versions deployed before they were cells of the standards table; cases
#: still running on those versions (which pass no ``weights``) are scored as they were promised
LEGACY_WEIGHTS = {"income": 40.0, "housing": 10.0, "per_member": 2.0, "max_members": 8.0}


def priority_score(facts: dict, eligibility: dict, weights: dict) -> dict:
    """The score and its parts (pure); ``weights`` as :class:`ScoreWeights` loads them."""
    standards = eligibility.get("standards") or {}
    income_line = standards.get("income_line")
    area_line = standards.get("area_line") or 0
    parts = {"groups": float(eligibility.get("priority_points") or 0)}
    if income_line:
        gap = (float(income_line) - float(facts.get("per_capita_income") or 0)) / float(income_line)
        parts["income"] = round(weights["income"] * min(1.0, max(0.0, gap)), 2)
    else:
        parts["income"] = 0.0
    area = float(facts.get("per_capita_area") or 0)
    parts["housing"] = weights["housing"] if area <= 0 else (
        round(weights["housing"] * max(0.0, 1 - area / float(area_line)), 2) if area_line else 0.0)
    extra_members = max(0, int(facts.get("household_size") or 1) - 1)
    parts["household"] = min(weights["max_members"], weights["per_member"] * extra_members)
    return {"score": round(sum(parts.values()), 2), "parts": parts}


@operator("ranking/priority_score", params=ScoreParams, inline=True)
def score_operator(params: dict, ctx) -> dict:
    """The household's waiting-list score from its priority groups, facts and the table's weights."""
    return priority_score(params["facts"], params["eligibility"], params["weights"] or LEGACY_WEIGHTS)
