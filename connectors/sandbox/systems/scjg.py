"""市场监管 business registration, behind a TIF gateway: ``{"errcode": 0, "errmsg", "data"}``.

``rzxx`` lists a person's roles: ``entname`` 企业名称, ``uniscid`` 统一社会信用代码,
``position`` (法定代表人 / 股东 / 监事 / 高管), ``regcap`` 注册资本 in 万元, ``entstatus``
(存续 / 注销 / 吊销).
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, system, tif_answer

BUSINESS = system("business", title="市场监管企业登记", prefix="/scjg", scheme="tif", answer=tif_answer)

POSITIONS = {"legal_representative": "法定代表人", "shareholder": "股东", "supervisor": "监事", "executive": "高管"}
STATUSES = {"active": "存续", "cancelled": "注销", "revoked": "吊销"}


@BUSINESS.route("POST", "/api/v1/ztxx/query")
def query_roles(req: SandboxRequest) -> dict:
    """Every registered role of an ID number."""
    id_number = req.data().get("zjhm")
    if not id_number:
        return tif_answer(None, errcode=40001, errmsg="zjhm 不能为空")
    rows = [
        {
            "entname": r["company"],
            "uniscid": r["credit_code"],
            "position": POSITIONS[r["role"]],
            "regcap": round(r["capital"] / 10000, 4),
            "regcapcur": "人民币",
            "entstatus": STATUSES[r["status"]],
        }
        for r in record(id_number, "business") or []
    ]
    return tif_answer({"rzxx": rows})
