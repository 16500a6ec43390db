"""民政: 婚姻登记 (marriage), 低保/特困 (subsistence), 家庭经济状况核对 (household assets).

婚姻 and 低保 sit on a Zhejiang-style platform (``{"code": "00", "msg", "datas"}``, MD5 token);
the 核对中心 is a REST service behind OAuth 2.0 (``{"code": 200, "message", "data"}``).
Marriage records name both parties as ``cert_num_man`` / ``cert_num_woman``; ``op_type``
``IA`` is a marriage registration, ``IB`` a divorce.
"""

from __future__ import annotations

from connectors.base.identity import sex_of
from connectors.sandbox.fixtures import person, record
from connectors.sandbox.registry import SandboxRequest, rest_answer, system, zhejiang_answer

MARRIAGE = system("marriage", title="民政婚姻登记", prefix="/minzheng/hyxx", scheme="md5_token", answer=zhejiang_answer)
SUBSISTENCE = system(
    "subsistence", title="民政低保特困", prefix="/minzheng/dbtk", scheme="md5_token", answer=zhejiang_answer
)
ASSETS = system(
    "family_assets", title="民政家庭经济状况核对", prefix="/minzheng/hdzx", scheme="oauth2", answer=rest_answer
)

OP_TYPES = {"married": "IA", "divorced": "IB"}
CATEGORIES = {"dibao": "01", "tekun": "02"}


def _bad_parameter(field: str) -> dict:
    return zhejiang_answer(None, code="96", msg=f"参数错误：缺少{field}")


@MARRIAGE.route("POST", "/api/hydj/query")
def query_marriage(req: SandboxRequest) -> dict:
    """Marriage and divorce registrations of one person, oldest first."""
    id_number = req.data().get("cardId")
    if not id_number:
        return _bad_parameter("cardId")
    who = person(id_number)
    rows = []
    for event in record(id_number, "marriage") or []:
        me = (id_number, who["name"] if who else "")
        other = (event["spouse_id"], event["spouse_name"])
        man, woman = (me, other) if sex_of(id_number) == "male" else (other, me)
        rows.append(
            {
                "op_type": OP_TYPES[event["type"]],
                "op_date": event["date"],
                "cert_num_man": man[0],
                "name_man": man[1],
                "cert_num_woman": woman[0],
                "name_woman": woman[1],
                "dept_name": event["office"],
            }
        )
    return zhejiang_answer(rows)


@SUBSISTENCE.route("POST", "/api/jzdx/query")
def query_subsistence(req: SandboxRequest) -> dict:
    """低保 / 特困 recognition of one person (``datas`` null when none)."""
    id_number = req.data().get("sfzh")
    if not id_number:
        return _bad_parameter("sfzh")
    rec = record(id_number, "subsistence")
    if rec is None:
        return zhejiang_answer(None, msg="无救助记录")
    return zhejiang_answer(
        {
            "sfzh": id_number,
            "dxlb": CATEGORIES[rec["category"]],
            "rdrq": rec["since"],
            "zt": "1" if rec.get("status", "active") == "active" else "0",
            "bzje": float(rec["allowance"]),
        }
    )


@ASSETS.route("POST", "/api/v2/hdbg")
def query_assets(req: SandboxRequest) -> dict:
    """The 核对 report of one person's financial assets (``data`` null when none)."""
    id_number = req.data().get("idCard")
    if not id_number:
        return rest_answer(None, code=400, message="idCard is required")
    rec = record(id_number, "family_assets")
    if rec is None:
        return rest_answer(None, message="no assets on record")
    return rest_answer(
        {
            "idCard": id_number,
            "ckye": float(rec["deposits"]),
            "zqsz": float(rec["securities"]),
            "bxxjjz": float(rec["insurance"]),
            "hdrq": "2026-01-01",
        }
    )
