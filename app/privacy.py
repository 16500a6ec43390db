"""Masking of personal data (PIPL): ID numbers, names, phone numbers.

Inside the system an ID number shows as its first 6 and last 4 characters
(``110105********1234``); on public lists a name keeps its first and last character
(``张*三``, two-character names ``李*``). :func:`mask_tree` masks every ID-number-like value
in a nested JSON structure, which is how evidence is stored.
"""

from __future__ import annotations

import re
from typing import Any

#: Mainland resident ID: 17 digits + digit or X (also the old 15-digit form).
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{5})(\d{3}[\dXx])(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")

ID_KEYS = {"id_number", "idnumber", "id_no", "idcard", "id_card", "sfzh", "certno", "zjhm", "spouse_id"}


def mask_id_number(value: str | None) -> str | None:
    """``110105199001011234`` → ``110105********1234``; other strings are returned unchanged."""
    if not value:
        return value
    s = str(value)
    if len(s) >= 15 and ID_NUMBER_RE.fullmatch(s):
        return s[:6] + "*" * (len(s) - 10) + s[-4:]
    return s


def mask_application_no(value: str | None) -> str | None:
    """``GZF2026-000123`` → ``GZF2026-****23``: the type and year stay, the serial is hidden."""
    if not value:
        return value
    prefix, dash, serial = str(value).rpartition("-")
    if not dash or len(serial) <= 2:
        return str(value)
    return f"{prefix}-{'*' * (len(serial) - 2)}{serial[-2:]}"


def mask_name(name: str | None) -> str | None:
    """``张三丰`` → ``张*丰``, ``李四`` → ``李*``, ``欧阳娜娜`` → ``欧**娜``."""
    if not name:
        return name
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return phone
    return PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), str(phone))


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number inside free text."""
    if len(text) < 11:  # shorter than a mobile number (11 digits) or an ID number (15 or 18)
        return text
    text = ID_NUMBER_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return mask_phone(text) or text


def mask_tree(value: Any) -> Any:
    """A copy of a JSON structure with ID numbers and phone numbers masked everywhere — in keys
    too (tables keyed by a member's ID number)."""
    if isinstance(value, dict):
        return {(mask_text(k) if isinstance(k, str) else k): mask_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tree(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
