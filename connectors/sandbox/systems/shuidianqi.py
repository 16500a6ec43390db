"""水电气 utilities gateway, REST signed with HMAC-SHA256.

``POST /shuidianqi/api/v1/yhyl/query`` with ``{"hh": unit code, "ys": months}`` answers ``{"code":
200, "data": {"hh", "cxlsh", "yhmc", "yhzjhm", "yl": [{"ny", "ysl", "ydl", "yql"}]}}`` from
``fixtures/utilities.json``: a vacant unit (near-zero use for the latest months), a sublet one
(use triples and another person holds the account), ordinary use for every other unit (varied by
the unit code, so a thousand units do not all look alike).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from connectors.base.dates import last_full_months
from connectors.sandbox.registry import SandboxRequest, rest_answer, system

FIXTURE_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "utilities.json"
UTILITIES = system("utilities", title="水电气用量", prefix="/shuidianqi", scheme="hmac_sha256", answer=rest_answer)


@cache
def units() -> dict[str, dict[str, Any]]:
    """The fixture units by code."""
    return json.loads(FIXTURE_FILE.read_text(encoding="utf-8"))["units"]


def _ordinary(unit_code: str, month: str) -> dict[str, float]:
    seed = int(hashlib.sha256(f"{unit_code}:{month}".encode()).hexdigest()[:8], 16)
    return {"ysl": round(6 + seed % 60 / 10, 1), "ydl": float(120 + seed % 90), "yql": round(8 + seed % 40 / 10, 1)}


def monthly_use(unit_code: str, count: int) -> list[dict[str, Any]]:
    """The unit's use for the last ``count`` whole months, oldest first."""
    unit = units().get(unit_code) or {"profile": "normal"}
    months = last_full_months(count)
    rows = []
    for ago, month in zip(range(count, 0, -1), months, strict=True):
        use = _ordinary(unit_code, month)
        changed = ago <= int(unit.get("since_months_ago") or 0)
        if unit["profile"] == "vacant" and changed:
            use = {"ysl": 0.1, "ydl": 1.0, "yql": 0.0}
        elif unit["profile"] == "sublet" and changed:
            use = {"ysl": use["ysl"] * 3, "ydl": use["ydl"] * 3, "yql": use["yql"] * 3}
        rows.append({"ny": month, **use})
    return rows


@UTILITIES.route("POST", "/api/v1/yhyl/query")
def query_usage(req: SandboxRequest) -> dict:
    """A unit's monthly use and its account holder."""
    body = req.data()
    unit_code = str(body.get("hh") or "")
    try:
        count = int(body.get("ys") or 6)
    except (TypeError, ValueError):
        return rest_answer(None, code=400, message="ys 应为月数")
    if not unit_code or not 1 <= count <= 24:
        return rest_answer(None, code=400, message="hh 不能为空，ys 为1到24")
    holder = (units().get(unit_code) or {}).get("holder") or {}
    return rest_answer({"hh": unit_code, "cxlsh": f"SDQ{uuid.uuid4().hex[:12].upper()}",
                        "yhmc": holder.get("name"), "yhzjhm": holder.get("id_number"),
                        "yl": monthly_use(unit_code, count)})
