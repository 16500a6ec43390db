"""Checking one unit's data, whichever way it comes (the page's form, the API, an import row).

:func:`check` takes the values with English keys, as text or typed, and returns them typed
plus the problems per key in Chinese; nothing is stored here.
"""

from __future__ import annotations

import re

from app.services.batch_import_rows import NO, YES
from app.stock.catalogue import HOUSING_TYPES, LAYOUTS, RENT_BASES, monthly_rent

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
#: facilities and transport are typed as one text, items separated by these
SEPARATORS = re.compile(r"[、;；,，\n]+")
TEXT_LIMITS = {"project": (2, 100), "district": (2, 64), "address": (4, 200), "building": (1, 32),
               "room_no": (1, 16)}
MAX_FACILITIES = 20


def _number(value, key: str, errors: dict, low: float, high: float, integer: bool = False):
    if value is None or value == "":
        errors.setdefault(key, []).append("必填")
        return None
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        errors.setdefault(key, []).append("应为整数" if integer else "应为数字")
        return None
    if isinstance(value, bool) or not (low <= number <= high):
        errors.setdefault(key, []).append(f"应在 {low:g} 到 {high:g} 之间")
        return None
    return number


def _choice(value, key: str, names: dict, errors: dict) -> str | None:
    """A code from ``names`` given as the code or its Chinese name."""
    text = str(value or "").strip()
    by_name = {v: k for k, v in names.items()}
    if text in names or text in by_name:
        return text if text in names else by_name[text]
    errors.setdefault(key, []).append("必填" if not text else f"“{text}”不是可选值（{'、'.join(names.values())}）")
    return None


def _flag(value, key: str, errors: dict) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text not in YES | NO:
        errors.setdefault(key, []).append("请填“是”或“否”")
    return text in YES


def facilities_of(value) -> list[str]:
    """Facilities as a list, from a list or from one text with separators."""
    items = value if isinstance(value, list) else SEPARATORS.split(str(value or ""))
    return [str(i).strip()[:100] for i in items if str(i).strip()]


def check(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """The unit's values typed, and the problems per key (empty when the unit may be stored)."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    code = str(values.get("code") or "").strip()
    if not CODE.match(code):
        errors["code"] = ["必填" if not code else "房屋编号应为2–32位字母、数字、-或_"]
    out["code"] = code
    for key, (low, high) in TEXT_LIMITS.items():
        text = str(values.get(key) or "").strip()
        if not text:
            errors.setdefault(key, []).append("必填")
        elif not (low <= len(text) <= high):
            errors.setdefault(key, []).append(f"应为{low}–{high}个字")
        out[key] = text
    out["housing_type"] = _choice(values.get("housing_type"), "housing_type", HOUSING_TYPES, errors)
    layout = str(values.get("layout") or "").strip()
    if layout not in LAYOUTS:
        errors["layout"] = ["必填" if not layout else f"“{layout}”不是可选户型（{'、'.join(LAYOUTS)}）"]
    out["layout"], out["rooms"] = layout, LAYOUTS.get(layout, 0)
    out["usable_area"] = _number(values.get("usable_area"), "usable_area", errors, 5, 500)
    out["floor"] = _number(values.get("floor"), "floor", errors, -3, 120, integer=True)
    out["rent_basis"] = _choice(values.get("rent_basis") or "per_m2", "rent_basis", RENT_BASES, errors)
    out["rent_rate"] = _number(values.get("rent_rate"), "rent_rate", errors, 0, 100000)
    out["has_lift"] = _flag(values.get("has_lift"), "has_lift", errors)
    out["facilities"] = facilities_of(values.get("facilities"))
    if len(out["facilities"]) > MAX_FACILITIES:
        errors.setdefault("facilities", []).append(f"最多 {MAX_FACILITIES} 项")
    if not errors:
        out["monthly_rent"] = monthly_rent(out["rent_basis"], out["rent_rate"], out["usable_area"])
        out["accessible"] = out["has_lift"] or out["floor"] <= 1
    return out, errors
