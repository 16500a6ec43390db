"""公积金 (housing provident fund), Zhejiang-style platform: ``{"code": "00", "msg", "datas"}``.

Two steps, as the real centres offer them: ``/api/query/grzhxx`` by ID number (``ZJHM``)
lists the person's accounts — ``GRZH`` account number, ``GRZHZT`` status (``01`` normal,
``02`` sealed), ``DWMC`` employer, ``JZNY`` paid up to (``yyyymm``), ``GRJCJS`` contribution
base, ``SFDK`` has a loan (``1``/``0``), ``GJJZX`` the centre; then ``/api/query/jcmx`` per
account (``GRZH``, ``KSNY``, ``JSNY``) lists monthly deposits (``JCNY``, ``GRJCE``, ``DWJCE``).
"""

from __future__ import annotations

from typing import Any

from connectors.base.dates import compact_month
from connectors.sandbox.fixtures import iter_records, record
from connectors.sandbox.registry import SandboxRequest, system, zhejiang_answer
from connectors.sandbox.series import months_from_query, paid_months

GJJ = system("housing_fund", title="住房公积金", prefix="/gjj", scheme="md5_token", answer=zhejiang_answer)

RATE = 0.07
STATUS = {"normal": "01", "sealed": "02"}


def _account(account_no: str) -> dict[str, Any] | None:
    for _, accounts in iter_records("housing_fund"):
        for account in accounts:
            if account["account_no"] == account_no:
                return account
    return None


@GJJ.route("POST", "/api/query/grzhxx")
def query_accounts(req: SandboxRequest) -> dict:
    """Step 1: every account of a person (empty list when none)."""
    id_number = req.data().get("ZJHM")
    if not id_number:
        return zhejiang_answer(None, code="96", msg="参数错误：ZJHM不能为空")
    rows = []
    for account in record(id_number, "housing_fund") or []:
        months = paid_months(account)
        rows.append(
            {
                "GRZH": account["account_no"],
                "GRZHZT": STATUS[account["status"]],
                "DWMC": account["employer"],
                "JZNY": compact_month(months[-1]) if months else "",
                "GRJCJS": float(account["base"]),
                "SFDK": "1" if account["has_loan"] else "0",
                "GJJZX": account["center"],
                "KHRQ": f"{account['opened']}-01",
            }
        )
    return zhejiang_answer(rows)


@GJJ.route("POST", "/api/query/jcmx")
def query_deposits(req: SandboxRequest) -> dict:
    """Step 2: monthly deposits of one account between ``KSNY`` and ``JSNY``."""
    body = req.data()
    account = _account(str(body.get("GRZH", "")))
    if account is None:
        return zhejiang_answer(None, code="96", msg="个人账号不存在")
    try:
        first, last = months_from_query(body["KSNY"]), months_from_query(body["JSNY"])
    except (KeyError, ValueError):
        return zhejiang_answer(None, code="96", msg="参数错误：KSNY/JSNY")
    amount = round(float(account["base"]) * RATE, 2)
    rows = [
        {"JCNY": compact_month(m), "GRJCE": amount, "DWJCE": amount, "JCZT": "1"}
        for m in paid_months(account, first, last)
    ]
    return zhejiang_answer(rows)
