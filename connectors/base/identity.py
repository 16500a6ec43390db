"""Mainland resident ID numbers (GB 11643): check digit, birth date, sex."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date_of(id_number: str) -> date:
    """The birth date encoded in digits 7–14 (``ValueError`` if it is not a date)."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def is_valid_id_number(value: str) -> bool:
    """18 characters, a real birth date and the right check digit (upper-case X)."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        return False
    try:
        birth_date_of(value)
    except ValueError:
        return False
    return check_digit(value[:17]) == value[17]


def sex_of(id_number: str) -> str:
    """``male`` when the 17th digit is odd, else ``female``."""
    return "male" if int(id_number[16]) % 2 else "female"
