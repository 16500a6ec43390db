"""The operator the engine benchmark binds its service tasks to."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.engine.operators import operator


class EchoParams(Schema):
    value = fields.Raw(required=True)


@operator("bench/echo", params=EchoParams)
def echo(params, ctx):
    """Answer at once, like a fast data source."""
    return {"value": params["value"], "ok": True}
