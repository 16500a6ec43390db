"""学信网 学历 (higher-education records), REST signed with HMAC-SHA256 — the docs' example.

``POST /xuexin/api/v1/xlcx`` with ``{"zjhm", "xm"}`` answers ``{"code": 200, "data": {"xlxx":
[{"yxmc", "cc", "zymc", "byrq", "zsbh"}]}}`` from the ``education`` records of the fixtures.
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, rest_answer, system

XUEXIN = system("education", title="学信网学历", prefix="/xuexin", scheme="hmac_sha256", answer=rest_answer)

LEVEL_NAMES = {"junior_college": "专科", "bachelor": "本科", "master": "硕士研究生", "doctor": "博士研究生"}


@XUEXIN.route("POST", "/api/v1/xlcx")
def query_degrees(req: SandboxRequest) -> dict:
    """Every certificate of an ID number (an empty list when none)."""
    id_number = req.data().get("zjhm")
    if not id_number:
        return rest_answer(None, code=400, message="zjhm is required")
    rows = [
        {"yxmc": d["school"], "cc": LEVEL_NAMES[d["level"]], "zymc": d["major"], "byrq": d["graduated_on"],
         "zsbh": d["certificate_no"]}
        for d in record(id_number, "education") or []
    ]
    return rest_answer({"xlxx": rows})
