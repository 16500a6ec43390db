"""不动产登记 (real estate) and 住建 网签备案 / 保障记录 (contracts, benefits); REST + OAuth 2.0.

不动产 fields: ``bdcqzh`` 不动产权证号, ``zl`` 坐落, ``jzmj`` 建筑面积, ``djsj`` 登记时间,
``zxsj`` 注销时间, ``ghyt`` 规划用途, ``qszt`` 权属状态 (现势 current / 历史 past).
住建 fields: ``wqht`` 网签合同 (``htbh``, ``xmmc``, ``qyrq``, ``mj``, ``bazt``) and ``bzjl``
保障记录 (``bzlx`` type, ``ssqx`` district, ``ksrq`` / ``jsrq`` from / to).
"""

from __future__ import annotations

from connectors.sandbox.fixtures import record
from connectors.sandbox.registry import SandboxRequest, rest_answer, system

ESTATE = system("real_estate", title="不动产登记", prefix="/bdc", scheme="oauth2", answer=rest_answer)
CONTRACTS = system(
    "housing_contracts", title="住建网签备案与保障记录", prefix="/zhujian", scheme="oauth2", answer=rest_answer
)


@ESTATE.route("POST", "/api/v1/fwqs/query")
def query_titles(req: SandboxRequest) -> dict:
    """Titles (current and past) held by an ID number."""
    id_number = req.data().get("qlrzjh")
    if not id_number:
        return rest_answer(None, code=400, message="qlrzjh is required")
    rows = [
        {
            "bdcqzh": p["cert_no"],
            "zl": p["address"],
            "jzmj": p["area"],
            "djsj": f"{p['acquired_on']} 09:30:00",
            "zxsj": f"{p['disposed_on']} 10:00:00" if p.get("disposed_on") else None,
            "ghyt": p["usage"],
            "qszt": "历史" if p.get("disposed_on") else "现势",
        }
        for p in record(id_number, "real_estate") or []
    ]
    return rest_answer({"records": rows, "total": len(rows)})


@CONTRACTS.route("POST", "/api/wqba/query")
def query_contracts(req: SandboxRequest) -> dict:
    """Filed purchase contracts not yet registered, and housing benefits received."""
    id_number = req.data().get("zjhm")
    if not id_number:
        return rest_answer(None, code=400, message="zjhm is required")
    rec = record(id_number, "housing_contracts") or {"contracts": [], "benefits": []}
    return rest_answer(
        {
            "wqht": [
                {
                    "htbh": c["contract_no"],
                    "xmmc": c["project"],
                    "qyrq": c["signed_on"],
                    "mj": c["area"],
                    "bazt": "已备案未登记",
                }
                for c in rec["contracts"]
            ],
            "bzjl": [
                {"bzlx": b["type"], "ssqx": b["district"], "ksrq": b["from"], "jsrq": b.get("to")}
                for b in rec["benefits"]
            ],
        }
    )
