"""医保 (medical insurance), national interface style, signed with SM2/SM3.

One endpoint, ``POST /yibao/fsi/api/rsfComIfsService/callService``, takes
``{"infno": …, "msgid": …, "input": {"data": {…}}}`` and answers
``{"infcode": 0, "err_msg", "output": {…}}``. ``1101`` is the national person-info interface
(``input.data{psn_cert_type, certno, psn_name}`` → ``output.baseinfo / insuinfo[] / idetinfo[]``);
the provincial verification adds ``P1001`` identity match, ``P1003`` payment records,
``P1004`` cross-region (异地就医) registrations and ``P1005`` family mutual-aid (家庭共济) links.
"""

from __future__ import annotations

from typing import Any

from connectors.base.dates import add_months, iso_month, today
from connectors.base.identity import sex_of
from connectors.sandbox.fixtures import iter_records, person, record
from connectors.sandbox.registry import SandboxRequest, system, yibao_answer
from connectors.sandbox.series import months_from_query, paid_months

YIBAO = system("medical_insurance", title="医保", prefix="/yibao", scheme="sm2_sm3", answer=yibao_answer)

INSUTYPE = {"employee": "310", "resident": "390"}
STATUS = {"active": "1", "suspended": "2"}


def suspended_on(rec: dict[str, Any]) -> str | None:
    """暂停参保日期: the first day of the month ``suspended_months_ago`` back, or ``None``."""
    back = rec.get("suspended_months_ago")
    return None if back is None else f"{add_months(iso_month(today()), -int(back))}-01"


def _person_by_psn_no(psn_no: str) -> tuple[str, dict[str, Any]] | None:
    return next(((i, r) for i, r in iter_records("medical_insurance") if r["psn_no"] == psn_no), None)


def _identity(data: dict) -> dict:
    certno, name = data.get("certno"), data.get("psn_name")
    rec, who = record(certno, "medical_insurance"), person(certno)
    if rec is None or who is None:
        return yibao_answer({"psn_exist": "0", "match_flag": "0", "psn_no": None})
    return yibao_answer({"psn_exist": "1", "match_flag": "1" if who["name"] == name else "0", "psn_no": rec["psn_no"]})


def _person_info(data: dict) -> dict:
    certno = data.get("certno")
    rec, who = record(certno, "medical_insurance"), person(certno)
    if rec is None or who is None or who["name"] != data.get("psn_name"):
        return yibao_answer(None, infcode=-1, err_msg="未查询到人员信息")
    baseinfo = {
        "psn_no": rec["psn_no"],
        "psn_cert_type": "01",
        "certno": certno,
        "psn_name": who["name"],
        "gend": "1" if sex_of(certno) == "male" else "2",
        "naty": "01",
        "brdy": who["birth_date"],
    }
    insuinfo = [
        {
            "insutype": INSUTYPE[rec["type"]],
            "psn_type": "11" if rec["type"] == "employee" else "14",
            "psn_insu_stas": STATUS[rec["status"]],
            "psn_insu_date": f"{rec['since']}-01",
            "paus_insu_date": suspended_on(rec),
            "emp_name": rec["employer"],
            "insuplc_admdvs": "500000",
            "cvlserv_flag": "0",
        }
    ]
    return yibao_answer({"baseinfo": baseinfo, "insuinfo": insuinfo, "idetinfo": []})


def _payments(data: dict) -> dict:
    found = _person_by_psn_no(data.get("psn_no", ""))
    if found is None:
        return yibao_answer({"paylist": []})
    _, rec = found
    first, last = months_from_query(data["begn_ym"]), months_from_query(data["end_ym"])
    rows = [
        {
            "clct_ym": m.replace("-", ""),
            "insutype": INSUTYPE[rec["type"]],
            "clct_amt": 120.0 if rec["type"] == "employee" else 30.0,
            "emp_name": rec["employer"],
        }
        for m in paid_months(rec, first, last)
    ]
    return yibao_answer({"paylist": rows})


def _cross_region(data: dict) -> dict:
    found = _person_by_psn_no(data.get("psn_no", ""))
    reg = found[1].get("cross_region") if found else None
    rows = (
        []
        if not reg
        else [
            {
                "insuplc_admdvs": "500000",
                "mdtrtarea_admvs": reg["admdvs"],
                "mdtrtarea_name": reg["place"],
                "begndate": reg["since"],
                "enddate": reg.get("until"),
                "dcla_souc": "异地长期居住",
            }
        ]
    )
    return yibao_answer({"regs": rows})


def _family(data: dict) -> dict:
    found = _person_by_psn_no(data.get("psn_no", ""))
    rows = []
    for linked in (found[1].get("family_links") or []) if found else []:
        other = person(linked)
        rows.append({"rel_certno": linked, "rel_psn_name": other["name"] if other else "", "bind_date": "2023-01-01"})
    return yibao_answer({"famlist": rows})


INTERFACES = {"P1001": _identity, "1101": _person_info, "P1003": _payments, "P1004": _cross_region, "P1005": _family}


@YIBAO.route("POST", "/fsi/api/rsfComIfsService/callService")
def call_service(req: SandboxRequest) -> dict:
    """Dispatch on ``infno``."""
    infno = str(req.data().get("infno", ""))
    handler = INTERFACES.get(infno)
    if handler is None:
        return yibao_answer(None, infcode=-1, err_msg=f"交易编号[{infno}]不存在")
    data = req.data("input", "data")
    if not isinstance(data, dict) or not data:
        return yibao_answer(None, infcode=-1, err_msg="input.data 不能为空")
    return handler(data)
