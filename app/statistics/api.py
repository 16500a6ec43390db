"""``GET /api/v1/statistics/<panel>``: the dashboard's tables as JSON (managers and admins)."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import RAISE, Schema, fields, validate

from app.api.auth import current_identity, requires
from app.api.input_guard import refuse_unstorable_input
from app.api.openapi import operation
from app.statistics import labels, service

bp = Blueprint("api_statistics", __name__, url_prefix="/api/v1/statistics")
bp.before_request(refuse_unstorable_input)



class StatisticsQuery(Schema):
    class Meta:
        unknown = RAISE

    start = fields.Date(metadata={"description": "first day of the period (China time); default a year ago"})
    end = fields.Date(metadata={"description": "last day of the period, inclusive; default today"})
    district = fields.String(validate=validate.Length(max=64),
                             metadata={"description": "one district; a district manager may give only their own"})
    housing_type = fields.String(validate=validate.OneOf(list(labels.HOUSING_TYPES)))


class StatColumn(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "Chinese column heading"})


class StatChart(Schema):
    type = fields.String(required=True, metadata={"description": "bar | line"})
    x = fields.String(allow_none=True, metadata={"description": "the column on the category axis"})
    series = fields.List(fields.String(), required=True, metadata={"description": "the columns drawn"})


class StatTable(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(StatColumn), required=True)
    rows = fields.List(fields.Dict(), required=True, metadata={"description": "one object per row, keyed by column"})
    chart = fields.Nested(StatChart, allow_none=True)


class StatFilters(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    district = fields.String(required=True, metadata={"description": "empty for every district in scope"})
    housing_type = fields.String(required=True)


class StatPanel(Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    filters = fields.Nested(StatFilters, required=True)
    refreshed_at = fields.String(allow_none=True, metadata={"description": "when the summaries were rebuilt"})
    tables = fields.List(fields.Nested(StatTable), required=True)


def _panel(key: str) -> dict:
    q = StatisticsQuery().load(request.args.to_dict())
    return service.panel(current_identity(), key, service.make_filters(**q))


def _documented(summary: str):
    """The statistics panels' shared ``@operation``: filters in the query, one panel back."""
    return operation(summary, tag="statistics", query=StatisticsQuery, responses={200: StatPanel})


@bp.get("/applications")
@requires(*service.ROLES)
@_documented("Applications received and decided, with the top rejection reasons")
def applications():
    return _panel("applications")


@bp.get("/processing")
@requires(*service.ROLES)
@_documented("Working days per step and end to end, deadline compliance, overdue now")
def processing():
    return _panel("processing")


@bp.get("/waiting")
@requires(*service.ROLES)
@_documented("The waiting list and the offers made")
def waiting():
    return _panel("waiting")


@bp.get("/verification")
@requires(*service.ROLES)
@_documented("Verification calls, failures, manual checks and latency per data source")
def verification():
    return _panel("verification")


@bp.get("/complaints")
@requires(*service.ROLES)
@_documented("Complaints received, answered and open, time to first answer, ratings and reopened share")
def complaints():
    return _panel("complaints")
