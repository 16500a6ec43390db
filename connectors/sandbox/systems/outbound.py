"""The outbound systems: SMS gateway, publication (公示) platform, allocation (配租) system.

Each answers with a receipt id and is idempotent on ``X-Idempotency-Key``: the same key gets
the same receipt and sends nothing twice. The publication platform refuses items that are not
de-identified (a name without ``*``, or anything that looks like an ID or mobile number).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from app.privacy import ID_NUMBER_RE, PHONE_RE
from connectors.base.dates import now_iso
from connectors.sandbox.registry import SandboxRequest, rest_answer, system, zhejiang_answer

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
#: A publication that always exists, so a demo or contract test can close one.
DEMO_PUBLICATION = "GS2026-DEMO"


def sms_answer(data: Any, code: str = "OK", message: str = "OK") -> dict:
    """The SMS gateway's answer: ``{"Code", "Message", "BizId", "RequestId"}``."""
    return {"Code": code, "Message": message, "BizId": data, "RequestId": uuid.uuid4().hex.upper()}


SMS = system("sms", title="短信网关", prefix="/sms", scheme="hmac_sha256", answer=sms_answer)
PUBLICATION = system("publication_platform", title="公示平台", prefix="/gongshi", scheme="oauth2", answer=rest_answer)
ALLOCATION = system("allocation_system", title="配租系统", prefix="/peizu", scheme="md5_token", answer=zhejiang_answer)


def _once(req: SandboxRequest, make: Any) -> Any:
    key = req.idempotency_key or uuid.uuid4().hex
    return req.state.receipt(req.system.name, key, make)


@SMS.route("POST", "/api/v1/send")
def send_sms(req: SandboxRequest) -> dict:
    """Send one templated message."""
    body = req.data()
    if not MOBILE_RE.match(str(body.get("PhoneNumbers", ""))):
        return sms_answer(None, code="isv.MOBILE_NUMBER_ILLEGAL", message="非法手机号")
    if not body.get("TemplateCode") or not body.get("SignName"):
        return sms_answer(None, code="isv.INVALID_PARAMETERS", message="TemplateCode/SignName 不能为空")
    return _once(req, lambda: sms_answer(f"{uuid.uuid4().hex[:16].upper()}^0"))


def _identifying(item: dict[str, Any]) -> bool:
    text = json.dumps(item, ensure_ascii=False)
    name = str(item.get("xm", ""))
    return "*" not in name or bool(ID_NUMBER_RE.search(text)) or bool(PHONE_RE.search(text))


def _publications(req: SandboxRequest) -> dict[str, dict[str, Any]]:
    return req.state.records.setdefault("publications", {DEMO_PUBLICATION: {"items": [], "closed_at": None}})


@PUBLICATION.route("POST", "/api/v1/publications")
def publish(req: SandboxRequest) -> dict:
    """Open a publication (公示) with its list of masked items."""
    body = req.data()
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return rest_answer(None, code=400, message="items 不能为空")
    if any(_identifying(i) for i in items if isinstance(i, dict)):
        return rest_answer(None, code=400, message="公示内容含未脱敏的个人信息")

    def make() -> dict:
        publication_id = f"GS{body.get('batchNo', '')}-{uuid.uuid4().hex[:8].upper()}"
        _publications(req)[publication_id] = {"items": items, "closed_at": None}
        return rest_answer(
            {
                "publicationId": publication_id,
                "itemCount": len(items),
                "url": f"https://gongshi.example.gov.cn/p/{publication_id}",
            }
        )

    return _once(req, make)


@PUBLICATION.route("POST", "/api/v1/publications/close")
def close(req: SandboxRequest) -> dict:
    """Close a publication early or at its end."""
    publication_id = str(req.data().get("publicationId", ""))
    stored = _publications(req).get(publication_id)
    if stored is None:
        return rest_answer(None, code=404, message=f"公示 {publication_id} 不存在")
    if stored["closed_at"] is None:
        stored["closed_at"] = now_iso()
    return rest_answer({"publicationId": publication_id, "closedAt": stored["closed_at"]})


@ALLOCATION.route("POST", "/api/household/push")
def push_household(req: SandboxRequest) -> dict:
    """Put a household on the waiting list for allocation."""
    body = req.data()
    missing = [k for k in ("sqbh", "hzxm", "hzsfzh", "jtrk", "fylx", "pxfz") if body.get(k) in (None, "")]
    if missing:
        return zhejiang_answer(None, code="96", msg=f"参数错误：缺少{','.join(missing)}")
    queue = req.state.records.setdefault("allocation_queue", [])

    def make() -> dict:
        queue.append(body["sqbh"])
        return zhejiang_answer({"lsh": f"PZ{uuid.uuid4().hex[:12].upper()}", "lhxh": len(queue)})

    return _once(req, make)
