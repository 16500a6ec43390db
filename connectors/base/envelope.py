"""How a platform wraps its answers, declared once per platform family.

Most government platforms answer ``{<code>: …, <message>: …, <data>: …}`` with their own key
names and codes. A connector declares its :class:`Envelope`; the HTTP client calls
:meth:`Envelope.unwrap` inside its retry loop, so a "busy" code is retried like an HTTP 503
and a refusal code becomes ``SourceRejected``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.errors import MalformedAnswer, PlatformBusy, PlatformRefused


@dataclass(frozen=True)
class Envelope:
    """``{code_key: one of ok, message_key: text, data_key: payload}``."""

    code_key: str
    ok: tuple[str, ...]
    data_key: str
    message_key: str
    #: Codes meaning "temporarily unable": retried. Any other non-ok code is a refusal.
    busy: tuple[str, ...] = ()

    def unwrap(self, body: Any) -> Any:
        """The payload of an ok answer; raises for busy, refused and unreadable answers."""
        if not isinstance(body, dict) or self.code_key not in body:
            raise MalformedAnswer(f"answer has no {self.code_key!r}")
        code = str(body[self.code_key])
        if code in self.ok:
            return body.get(self.data_key)
        message = str(body.get(self.message_key) or "")
        if code in self.busy:
            raise PlatformBusy(f"{code} {message}".strip())
        raise PlatformRefused(code, message)


#: 公安 data-sharing platforms (户籍, 居住证, 交管): ``{"code": "0000", "msg", "data"}``.
GONGAN = Envelope("code", ("0000",), "data", "msg", busy=("5000", "5003"))
#: Zhejiang-style platforms (民政, 公积金, 配租): ``{"code": "00", "msg", "datas"}``.
ZHEJIANG = Envelope("code", ("00",), "datas", "msg", busy=("99",))
#: TIF gateways (人社, 市场监管, 残联): ``{"errcode": 0, "errmsg", "data"}``.
TIF = Envelope("errcode", ("0",), "data", "errmsg", busy=("-1", "50000"))
#: National 医保 interface style: ``{"infcode": 0, "err_msg", "output"}``.
YIBAO = Envelope("infcode", ("0",), "output", "err_msg", busy=("-2",))
#: REST platforms (不动产, 住建, 核对中心, 公示, 税务): ``{"code": 200, "message", "data"}``.
REST = Envelope("code", ("200",), "data", "message", busy=("503",))
