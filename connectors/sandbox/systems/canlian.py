"""残联 disability certificates, behind a TIF gateway: ``{"errcode": 0, "errmsg", "data"}``.

``cjzh`` 残疾人证号 (the ID number plus category and grade digits — it must be masked like an
ID number), ``cjlb`` 残疾类别 (1 视力 2 听力 3 言语 4 肢体 5 智力 6 精神 7 多重), ``cjdj`` 等级
(1–4), ``fzrq`` issue date, ``yxqz`` valid until.
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, system, tif_answer

DISABILITY = system("disability", title="残联残疾人证", prefix="/canlian", scheme="tif", answer=tif_answer)

CATEGORIES = {
    "visual": "1",
    "hearing": "2",
    "speech": "3",
    "physical": "4",
    "intellectual": "5",
    "mental": "6",
    "multiple": "7",
}


@DISABILITY.route("POST", "/api/cjrxx")
def query_certificate(req: SandboxRequest) -> dict:
    """The disability certificate of an ID number (``data`` null when none)."""
    id_number = req.data().get("zjhm")
    if not id_number:
        return tif_answer(None, errcode=40001, errmsg="zjhm 不能为空")
    rec = record(id_number, "disability")
    if rec is None:
        return tif_answer(None, errmsg="无持证记录")
    category = CATEGORIES[rec["category"]]
    return tif_answer(
        {
            "cjzh": f"{id_number}{category}{rec['grade']}",
            "cjlb": category,
            "cjdj": str(rec["grade"]),
            "fzrq": rec["issued_on"],
            "yxqz": rec["valid_until"],
        }
    )
