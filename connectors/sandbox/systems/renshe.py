"""人社 社保 (social insurance), behind a TIF gateway: ``{"errcode": 0, "errmsg", "data"}``.

Field names are the 人社 data standard codes: ``aac002`` 社会保障号码 (the ID number), ``aac003``
姓名, ``aab004`` 单位名称, ``aac008`` 参保状态 (``1`` paying, ``2`` suspended, ``3`` retired —
the sandbox's code for 离退休), ``aae140`` 险种 (110 pension, 210 unemployment, 310 medical,
410 injury, 510 maternity), plus ``ljjfys`` / ``lxjfys`` months paid in all / without a break,
``jfjs`` contribution base and ``dyffe`` monthly pension paid.
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, system, tif_answer
from connectors.sandbox.series import continuous_months, paid_months

SOCIAL = system("social_insurance", title="人社社保", prefix="/renshe", scheme="tif", answer=tif_answer)

STATUS = {"active": "1", "suspended": "2", "retired": "3"}


@SOCIAL.route("POST", "/api/v1/sbjf/query")
def query_contributions(req: SandboxRequest) -> dict:
    """Insurance status and months paid of one person (``data`` null when unknown)."""
    id_number = req.data().get("aac002")
    if not id_number:
        return tif_answer(None, errcode=40001, errmsg="aac002 不能为空")
    rec = record(id_number, "social_insurance")
    if rec is None:
        return tif_answer(None, errmsg="未查询到参保信息")
    status = STATUS[rec["status"]]
    return tif_answer(
        {
            "aac002": id_number,
            "aab004": rec["employer"],
            "aac008": status,
            "ljjfys": len(paid_months(rec)),
            "lxjfys": continuous_months(rec) if rec["status"] == "active" else 0,
            "jfjs": float(rec["base"]),
            "dyffe": float(rec.get("pension") or 0),
            "xzlist": [{"aae140": code, "aac008": status} for code in rec["types"]],
        }
    )
