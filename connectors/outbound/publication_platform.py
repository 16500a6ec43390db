"""公示平台 publication platform: publish a de-identified list for a fixed period, close it.

Platform: a REST service behind OAuth 2.0 client credentials. ``POST /api/v1/publications``
with ``{"title", "batchNo", "district", "fylx", "startDate", "endDate", "items": [{"sqbh",
"xm", "jtrk", "qx", "pxfz"}]}`` answers ``{"publicationId", "itemCount", "url"}``;
``POST /api/v1/publications/close`` with ``{"publicationId", "reason"}`` answers ``closedAt``.

De-identification happens here, at the boundary: an item's ``name`` is masked (``张*三``) before
it leaves, and the item schema has no field for an ID number, phone or address.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.privacy import mask_name
from connectors.base import Connector, operation, register_connector
from connectors.base.call import Call
from connectors.base.envelope import REST
from connectors.base.outbound import ReceiptSchema, receipt

HOUSING_TYPES = ("gongzufang", "baozufang")


class PublicationItemSchema(Schema):
    """One line of the public list (fields other than these are dropped: no ID numbers, phones)."""

    class Meta:
        unknown = EXCLUDE

    application_no = fields.String(required=True, metadata={"description": "application number"})
    name = fields.String(required=True, metadata={"description": "applicant's name (masked before sending)"})
    household_size = fields.Integer(required=True, validate=validate.Range(min=1))
    district = fields.String(load_default=None)
    score = fields.Float(load_default=None, metadata={"description": "ranking score, if published"})


class PublishParams(Schema):
    """Parameters of ``publication_platform/publish``."""

    batch_no = fields.String(required=True, metadata={"description": "batch number of the publication"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    district = fields.String(required=True)
    housing_type = fields.String(required=True, validate=validate.OneOf(HOUSING_TYPES))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    items = fields.List(fields.Nested(PublicationItemSchema), required=True, validate=validate.Length(min=1))

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError("ends_on is before starts_on", "ends_on")


class CloseParams(Schema):
    """Parameters of ``publication_platform/close``."""

    publication_id = fields.String(required=True)
    reason = fields.String(load_default="公示期满")


@register_connector
class PublicationPlatformConnector(Connector):
    """公示平台: the public lists of applicants."""

    name = "publication_platform"
    title = "公示平台"
    signing = "oauth2"
    sandbox_prefix = "/gongshi"
    demo_credential = {"client_id": "gs-demo-client", "client_secret": "aef5845a048720fefd596be8"}
    envelope = REST
    samples = {
        "publish": {
            "batch_no": "2026-12",
            "title": "2026年第12批公租房资格审核结果公示",
            "district": "沙坪坝区",
            "housing_type": "gongzufang",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-10",
            "items": [{"application_no": "GZF2026-000123", "name": "刘建国", "household_size": 3}],
        },
        "close": {"publication_id": "GS2026-DEMO"},
    }

    @operation("publish", params=PublishParams, result=ReceiptSchema, description="publish a masked list")
    def publish(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Open the publication; the receipt id is the platform's publication id."""
        body = {
            "title": params["title"],
            "batchNo": params["batch_no"],
            "district": params["district"],
            "fylx": params["housing_type"],
            "startDate": params["starts_on"].isoformat(),
            "endDate": params["ends_on"].isoformat(),
            "items": [
                {
                    "sqbh": i["application_no"],
                    "xm": mask_name(i["name"]),
                    "jtrk": i["household_size"],
                    "qx": i["district"] or params["district"],
                    "pxfz": i["score"],
                }
                for i in params["items"]
            ],
        }
        data = call.post("/api/v1/publications", body, label="publish")
        return receipt(self, call, data["publicationId"], item_count=data["itemCount"], url=data.get("url"))

    @operation("close", params=CloseParams, result=ReceiptSchema, description="close a publication")
    def close(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Close it; an unknown publication id is refused (``SourceRejected``)."""
        body = {"publicationId": params["publication_id"], "reason": params["reason"]}
        data = call.post("/api/v1/publications/close", body, label="close")
        return receipt(self, call, data["publicationId"], closed_at=data["closedAt"])
