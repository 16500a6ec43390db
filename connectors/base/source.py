"""Data-source connectors: check every household member given, return facts and evidence.

A :class:`SourceConnector` declares one operation, ``check``. It takes ``members`` (each
``{id_number, name, relation}``) plus the connector's own optional parameters (its ``Params``
schema), queries the platform for each member in turn and answers::

    {"source": "<connector>", "source_name": "<Chinese name>", "checked_at": "<ISO time>",
     "members": [{"id_number", "name", "relation", "found", "verdict", "summary", "facts"}],
     "evidence": [{"member": <index>, "request": "<step>", "answer": <raw, masked>}]}

``facts`` always holds every key of the connector's ``Facts`` schema (empty values when the
member is not found). ``verdict`` is a first reading for the reviewer: ``fail`` when the record
by itself contradicts the application, ``pass`` when it supports it or shows nothing against
it, ``info`` when only the policy rules (DMN) can decide from the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, validate

from app.engine.operators import loader
from connectors.base.call import Call
from connectors.base.connector import Connector, OperationSpec
from connectors.base.dates import now_iso
from connectors.base.identity import is_valid_id_number

RELATIONS = ("applicant", "spouse", "child", "parent", "co_applicant", "other")
PASS, FAIL, INFO = "pass", "fail", "info"
VERDICTS = (PASS, FAIL, INFO)


def _validate_id_number(value: str) -> None:
    if not is_valid_id_number(value):
        raise ValidationError("not a valid 18-digit resident ID number (check digit, birth date)")


def id_number_field(description: str = "18-digit resident ID number", **kwargs: Any) -> fields.String:
    """A string field that accepts only valid resident ID numbers."""
    return fields.String(validate=_validate_id_number, metadata={"description": description}, **kwargs)


class MemberSchema(Schema):
    """A household member as a diagram passes it to a source connector (other fields are dropped)."""

    class Meta:
        unknown = EXCLUDE

    id_number = id_number_field(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50), metadata={"description": "姓名"})
    relation = fields.String(
        required=True, validate=validate.OneOf(RELATIONS), metadata={"description": "relation to the applicant"}
    )


class SourceParams(Schema):
    """Parameters every data-source operation takes; connectors subclass to add their own."""

    members = fields.List(
        fields.Nested(MemberSchema),
        required=True,
        validate=validate.Length(min=1, max=30),
        metadata={"description": "every household member to check (each one is checked)"},
    )


class WindowParams(SourceParams):
    """``members`` plus ``months``: how many whole months back to look (payments, deposits, tax)."""

    months = fields.Integer(
        load_default=12,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "whole months before the current month to look at (default 12)"},
    )


def fact(kind: type[fields.Field], description: str, *args: Any, **kwargs: Any) -> fields.Field:
    """A nullable, described field of a ``Facts`` schema."""
    return kind(*args, allow_none=True, metadata={"description": description}, **kwargs)


@cache
def source_result_schema(source_cls: type[SourceConnector]) -> type[Schema]:
    """The result schema of ``<source>/check``, with the connector's facts nested in it."""
    prefix = "".join(part.title() for part in source_cls.name.split("_"))
    member = Schema.from_dict(
        {
            "id_number": fields.String(required=True),
            "name": fields.String(required=True),
            "relation": fields.String(required=True, validate=validate.OneOf(RELATIONS)),
            "found": fields.Boolean(required=True),
            "verdict": fields.String(required=True, validate=validate.OneOf(VERDICTS)),
            "summary": fields.String(required=True, metadata={"description": "one sentence in Chinese"}),
            "facts": fields.Nested(source_cls.Facts, required=True),
        },
        name=f"{prefix}MemberFinding",
    )
    return Schema.from_dict(
        {
            "source": fields.String(required=True),
            "source_name": fields.String(required=True),
            "checked_at": fields.String(required=True, metadata={"description": "ISO 8601 time"}),
            "members": fields.List(fields.Nested(member), required=True),
            "evidence": fields.Raw(required=True, metadata={"description": "raw answers, ID numbers masked"}),
        },
        name=f"{prefix}Result",
    )


@dataclass
class Finding:
    """What a platform says about one member: whether it knows them, and the normalised facts."""

    found: bool
    facts: dict[str, Any] = field(default_factory=dict)


class SourceConnector(Connector):
    """Base class of the data-source connectors (see module doc)."""

    #: Parameter schema of ``check``: :class:`SourceParams` plus the connector's own.
    Params: ClassVar[type[Schema]] = SourceParams
    #: Schema of ``facts``: every key documented with a description.
    Facts: ClassVar[type[Schema] | None] = None
    #: The fixture household the contract kit checks this connector with.
    sample_household: ClassVar[str] = "eligible_nuclear"

    @classmethod
    def operation_specs(cls) -> dict[str, OperationSpec]:
        specs = super().operation_specs()
        if cls.Facts is not None:
            specs["check"] = OperationSpec(
                "check", "check", cls.Params, source_result_schema(cls), "check every household member given",
                query=True,  # a source is asked, never changed
            )
        return specs

    def check(self, params: dict[str, Any], call: Call) -> dict[str, Any]:
        """Query each member, judge the findings, mask the evidence."""
        members = params["members"]
        findings = []
        for index, member in enumerate(members):
            call.scope = index
            finding = self.query_member(call, member, params)
            verdict, summary = self.judge(member, finding, params, members)
            findings.append(
                {
                    "id_number": member["id_number"],
                    "name": member["name"],
                    "relation": member["relation"],
                    "found": finding.found,
                    "verdict": verdict,
                    "summary": summary,
                    "facts": finding.facts,
                }
            )
        return {
            "source": self.name,
            "source_name": self.title,
            "checked_at": now_iso(),
            "members": findings,
            "evidence": self.mask_evidence(call.evidence),
        }

    @classmethod
    def blank_facts(cls) -> dict[str, Any]:
        """Every fact key with its ``load_default`` (``None`` where it has none): a member not found."""
        out: dict[str, Any] = {}
        for name, fld in loader(cls.Facts).fields.items():  # type: ignore[misc]
            default = fld.load_default
            out[name] = None if default is missing else (default() if callable(default) else default)
        return out

    def not_found(self) -> Finding:
        """The finding for a member the platform does not know."""
        return Finding(False, self.blank_facts())

    def query_member(self, call: Call, member: dict[str, Any], params: dict[str, Any]) -> Finding:
        """Ask the platform about one member (one or more requests through ``call``)."""
        raise NotImplementedError

    def judge(
        self, member: dict[str, Any], finding: Finding, params: dict[str, Any], members: list[dict[str, Any]]
    ) -> tuple[str, str]:
        """``(verdict, one-sentence Chinese summary)`` for one member's finding."""
        raise NotImplementedError


def declared_ids(members: list[dict[str, Any]]) -> set[str]:
    """The ID numbers of the members given to an operation."""
    return {m["id_number"] for m in members}
