"""The per-address limit on public complaints, counted by the app's flask-limiter store.

The same store and strategy as the objection form (:mod:`app.auth.ratelimit`), so every web
process on every host shares one count; the limit is ``HOUSING_COMPLAINT_LIMIT``.
"""

from __future__ import annotations

from flask import current_app
from limits import parse_many

from app.auth import ratelimit


def complaint_allowed() -> bool:
    """Count one public complaint from this address; False when over the limit (not counted then)."""
    items = parse_many(current_app.extensions["housing.settings"].complaint_limit)
    return ratelimit.limits().allow_all(items, "complaint", ratelimit.client_key())
