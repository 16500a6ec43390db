"""Template filters: times in China's zone, masked identifiers, JSON for ``<pre>`` blocks."""

from __future__ import annotations

import json
from datetime import datetime

from app.engine.workdays import CHINA_TZ
from app.privacy import mask_id_number, mask_name


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime or ISO string as China time; '' for None."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        return value.strftime(fmt)
    return value.astimezone(CHINA_TZ).strftime(fmt)


def pretty_json(value) -> str:
    """Indented JSON with Chinese kept readable."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def housing_name(value) -> str:
    """A housing type code (``gongzufang``) as its Chinese name; a name stays as it is."""
    from app.services.inbox_service import HOUSING_TYPES

    return HOUSING_TYPES.get(value, value) if value else ""


#: household relations as the application form labels them
RELATIONS = {"applicant": "申请人本人", "spouse": "配偶", "child": "子女", "parent": "父母",
             "co_applicant": "共同申请人", "other": "其他"}


def relation_name(value) -> str:
    """A household relation code as its Chinese label."""
    return RELATIONS.get(value, value or "")


def case_fields(data) -> list:
    """A task's process data as labelled fields (see :mod:`app.web.case_data`)."""
    from app.web.case_data import fields_of

    return fields_of(data)


def code_label(value, kind: str | None = None):
    """A status, rule id, reason or error code as the session's language names it."""
    from app.web.labels import code_label as label

    return label(value, kind)


FILTERS = {
    "code_label": code_label,
    "case_fields": case_fields,
    "relation_name": relation_name,
    "housing_name": housing_name,
    "local_time": local_time,
    "pretty_json": pretty_json,
    "mask_id": mask_id_number,
    "mask_name": mask_name,
}
