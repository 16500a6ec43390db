"""Template filters: times in China's zone, masked identifiers, JSON for ``<pre>`` blocks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from app.engine.workdays import CHINA_TZ
from app.privacy import mask_id_number, mask_name


def _china_time(value):
    """An aware datetime or ISO string as China time (a naive one as it is); None for nothing, the
    string itself when it is no time."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.astimezone(CHINA_TZ) if value.tzinfo else value


def local_time(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime or ISO string as China time; '' for None."""
    local = _china_time(value)
    if local is None or isinstance(local, str):
        return local or ""
    return local.strftime(fmt)


def deadline(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A deadline as China time; one that ends at local midnight reads as 24:00 of its last day
    (``2026-12-18 24:00``, not ``2026-12-19 00:00``), as the SMS that announced it names that day."""
    local = _china_time(value)
    if local is None or isinstance(local, str):
        return local or ""
    if (local.hour, local.minute, local.second) != (0, 0, 0):
        return local.strftime(fmt)
    day = local - timedelta(days=1)
    return day.strftime(fmt.replace("%H:%M", "24:00")) if "%H:%M" in fmt else day.strftime(fmt)


def amount(value) -> str:
    """A sum of money as people write it: ``3,800`` or ``3,800.50`` (never ``3800.0``); '' for None."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


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
    "deadline": deadline,
    "amount": amount,
    "pretty_json": pretty_json,
    "mask_id": mask_id_number,
    "mask_name": mask_name,
}
