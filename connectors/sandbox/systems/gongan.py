"""公安: 户籍 (household registration), 居住证 (residence permits), 交管 车辆 (vehicles).

Field names follow the 公安 data-sharing style (pinyin initials): ``sfzh`` 身份证号, ``xm`` 姓名,
``hh`` 户号, ``yhzgx`` 与户主关系, ``qrrq`` 迁入日期 (``yyyymmdd``), ``jzzbh`` 居住证编号,
``hphm`` 号牌号码, ``gcjg`` 购车价格 …; answers ``{"code": "0000", "msg", "data"}``.
"""

from __future__ import annotations

from connectors.base.identity import sex_of
from connectors.sandbox.fixtures import person, record
from connectors.sandbox.registry import SandboxRequest, gongan_answer, system

HUKOU = system("hukou", title="公安户籍", prefix="/gongan/hukou", scheme="hmac_sha256", answer=gongan_answer)
PERMIT = system(
    "residence_permit", title="公安居住证", prefix="/gongan/jzz", scheme="hmac_sha256", answer=gongan_answer
)
VEHICLES = system("vehicles", title="公安交管车辆", prefix="/jiaoguan", scheme="hmac_sha256", answer=gongan_answer)

VEHICLE_STATUS = {"normal": "A", "transferred": "B", "cancelled": "E"}


def _missing(field: str) -> dict:
    return gongan_answer(None, code="4001", msg=f"参数错误：{field}不能为空")


@HUKOU.route("POST", "/api/v1/czrk/query")
def query_resident(req: SandboxRequest) -> dict:
    """常住人口 query by ID number and name."""
    id_number, name = req.data().get("sfzh"), req.data().get("xm")
    if not id_number:
        return _missing("sfzh")
    who, rec = person(id_number), record(id_number, "hukou")
    if who is None or rec is None:
        return gongan_answer(None, msg="查无此人")
    matched = who["name"] == name
    return gongan_answer(
        {
            "sfzh": id_number,
            "xm": who["name"] if matched else None,
            "xmbd": "1" if matched else "0",
            "xb": "1" if sex_of(id_number) == "male" else "2",
            "csrq": who["birth_date"].replace("-", ""),
            "hjszd_sheng": rec["province"],
            "hjszd_shi": rec["city"],
            "hjszd_qx": rec["district"],
            "hjdz": rec["address"],
            "hh": rec["household_no"],
            "yhzgx": rec["head_relation"],
            "qrrq": rec["since"].replace("-", ""),
        }
    )


@PERMIT.route("POST", "/api/v1/jzzxx")
def query_permits(req: SandboxRequest) -> dict:
    """居住证 records by ID number."""
    id_number = req.data().get("gmsfhm")
    if not id_number:
        return _missing("gmsfhm")
    rec = record(id_number, "residence_permit")
    rows = (
        []
        if rec is None
        else [
            {
                "jzzbh": rec["permit_no"],
                "fzrq": rec["issued_on"],
                "yxqz": rec["valid_until"],
                "jzd_cs": rec["city"],
                "jzd_qx": rec["district"],
                "jzdz": rec["address"],
                "fzjg": rec["issuer"],
            }
        ]
    )
    return gongan_answer({"total": len(rows), "list": rows})


@VEHICLES.route("POST", "/api/v1/jdc/query")
def query_vehicles(req: SandboxRequest) -> dict:
    """机动车 registered to an ID number."""
    id_number = req.data().get("sfzmhm")
    if not id_number:
        return _missing("sfzmhm")
    rows = [
        {
            "hphm": v["plate"],
            "hpzl": "02",
            "clpp": v["brand"],
            "ccdjrq": v["first_registered"].replace("-", ""),
            "gcjg": v["price"],
            "zt": VEHICLE_STATUS[v.get("status", "normal")],
        }
        for v in record(id_number, "vehicles") or []
    ]
    return gongan_answer(rows)
