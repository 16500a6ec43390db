"""税务 individual income tax, REST signed with SM2/SM3: ``{"code": 200, "message", "data"}``.

``sbxxList`` has one row per month declared between ``sssqq`` and ``sssqz`` (所属期起止):
``sssq`` the month, ``sre`` 收入额, ``ynse`` 应纳税额, ``kjywrmc`` the withholding agent,
``sdxm`` 所得项目.
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, rest_answer, system
from connectors.sandbox.series import months_from_query, paid_months

TAX = system("tax", title="税务个人所得税", prefix="/shuiwu", scheme="sm2_sm3", answer=rest_answer)

#: Monthly deduction and the first brackets of the comprehensive-income table (monthly view).
DEDUCTION = 5000.0
BRACKETS = ((3000.0, 0.03, 0.0), (12000.0, 0.10, 210.0), (25000.0, 0.20, 1410.0))


def monthly_tax(income: float) -> float:
    """A simple monthly withholding estimate (enough for plausible sandbox answers)."""
    taxable = max(0.0, income - DEDUCTION)
    for limit, rate, quick in BRACKETS:
        if taxable <= limit:
            return round(taxable * rate - quick, 2)
    return round(taxable * 0.25 - 2660.0, 2)


@TAX.route("POST", "/api/v1/grsds/sbxx")
def query_declarations(req: SandboxRequest) -> dict:
    """Monthly withholding declarations of a taxpayer in a period."""
    body = req.data()
    id_number = body.get("nsrsbh")
    try:
        first, last = months_from_query(body["sssqq"]), months_from_query(body["sssqz"])
    except (KeyError, ValueError):
        return rest_answer(None, code=400, message="sssqq/sssqz 格式应为 yyyy-mm")
    if not id_number:
        return rest_answer(None, code=400, message="nsrsbh 不能为空")
    rec = record(id_number, "tax")
    rows = []
    if rec is not None:
        income = float(rec["monthly_income"])
        series = {**rec, "since": first, "until": None}
        rows = [
            {"sssq": m, "sre": income, "ynse": monthly_tax(income), "kjywrmc": rec["employer"], "sdxm": "工资薪金所得"}
            for m in paid_months(series, first, last)
        ]
    return rest_answer({"nsrsbh": id_number, "sbxxList": rows})
