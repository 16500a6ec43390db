"""The waiting-list priority score (轮候分) of an approved household.

The policy part — which groups get how many points — is the ``<type>_priority`` decision
table; this handler adds what follows from the measured facts, so that among equal groups the
household in greater need ranks first:

============================  ==============================================================
priority groups               the points of every matching row of the priority table
income (公租房 only)           up to 40: ``40 × (income line − per-capita income) / income line``
housing                       up to 10: ``10 × (1 − per-capita area / area line)``, 10 with none
household size                2 per member beyond the applicant, at most 8
============================  ==============================================================

Equal scores are ordered by registration time on the waiting list.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from app.engine.operators import operator

INCOME_POINTS = 40.0
HOUSING_POINTS = 10.0
MEMBER_POINTS = 2.0
MAX_MEMBER_POINTS = 8.0


class ScoreParams(Schema):
    """Parameters of ``ranking/priority_score``."""

    housing_type = fields.String(required=True)
    facts = fields.Dict(required=True, metadata={"description": "household facts (verification)"})
    eligibility = fields.Dict(required=True, metadata={"description": "{standards, priority_points …}"})


def priority_score(facts: dict, eligibility: dict) -> dict:
    """The score and its parts (pure)."""
    standards = eligibility.get("standards") or {}
    income_line = standards.get("income_line")
    area_line = standards.get("area_line") or 0
    parts = {"groups": float(eligibility.get("priority_points") or 0)}
    if income_line:
        gap = (float(income_line) - float(facts.get("per_capita_income") or 0)) / float(income_line)
        parts["income"] = round(INCOME_POINTS * min(1.0, max(0.0, gap)), 2)
    else:
        parts["income"] = 0.0
    area = float(facts.get("per_capita_area") or 0)
    parts["housing"] = HOUSING_POINTS if area <= 0 else (
        round(HOUSING_POINTS * max(0.0, 1 - area / float(area_line)), 2) if area_line else 0.0)
    parts["household"] = min(MAX_MEMBER_POINTS, MEMBER_POINTS * max(0, int(facts.get("household_size") or 1) - 1))
    return {"score": round(sum(parts.values()), 2), "parts": parts}


@operator("ranking/priority_score", params=ScoreParams)
def score_operator(params: dict, ctx) -> dict:
    """The household's waiting-list score from its priority groups and facts."""
    return priority_score(params["facts"], params["eligibility"])
