"""The remedies against a refusal, by district, from policy data (``processes/remedies.json``).

A refusal is an administrative decision; its notice names where the applicant may ask for
行政复议 (within 60 days of learning of it, 行政复议法 2023 Art. 20) and bring 行政诉讼 (within
6 months, 行政诉讼法 Art. 46). The bodies differ by district and are data, not code: the file
holds a ``default`` (with ``{district}`` in its names) and entries per district that override it::

    {"default": {"review_body": "重庆市{district}人民政府", "court": "重庆市{district}人民法院",
                 "issuer": "重庆市{district}住房和城乡建设委员会", "review_days": 60, "litigation_months": 6},
     "districts": {"渝中区": {"review_body": "重庆市渝中区人民政府", "court": "重庆市渝中区人民法院"}}}
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from app.services import context

FILE_NAME = "remedies.json"
#: the statutory periods, used when the file does not say
DEFAULTS = {"review_days": 60, "litigation_months": 6}


@lru_cache(maxsize=8)
def _load(path: str, _mtime: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def policy() -> dict:
    """The remedies file of the deployment's processes folder ({} when there is none)."""
    path = Path(context.settings().processes_dir) / FILE_NAME
    if not path.is_file():
        return {}
    return _load(str(path), path.stat().st_mtime_ns)


def remedies_for(district: str | None) -> dict:
    """``{review_body, court, issuer, review_days, litigation_months}`` for a district (bodies may be None)."""
    data = policy()
    merged = {**DEFAULTS, **(data.get("default") or {}), **((data.get("districts") or {}).get(district or "") or {})}
    for key in ("review_body", "court", "issuer"):
        value = merged.get(key)
        merged[key] = value.replace("{district}", district or "") if isinstance(value, str) and district else None
    return merged
