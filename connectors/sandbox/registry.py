"""The systems the sandbox plays: each under its own path prefix, with its own signing scheme.

A system module (``connectors/sandbox/systems/<module>.py``) declares a :class:`System` with
:func:`system` and adds route handlers with ``@SYSTEM.route(method, path)``. A handler gets a
:class:`SandboxRequest` and returns the platform's whole answer body (a dict), or a
``(status, body)`` pair. Importing :mod:`connectors.sandbox.systems` imports every system module.
The demo credential of system ``x`` is ``DEMO_CREDENTIALS["sandbox_x"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.base.credentials import DEMO_CREDENTIALS
from connectors.sandbox.state import SandboxState


@dataclass
class SandboxRequest:
    """An incoming request as a handler sees it."""

    system: System
    method: str
    path: str
    route: str
    args: Mapping[str, str]
    form: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    json: Any
    state: SandboxState

    def data(self, *keys: str) -> Any:
        """``json[k1][k2]…``, or ``{}`` where a level is missing."""
        value: Any = self.json if isinstance(self.json, dict) else {}
        for key in keys:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return value

    @property
    def idempotency_key(self) -> str:
        """The client's ``X-Idempotency-Key`` (empty when absent)."""
        return self.headers.get("X-Idempotency-Key", "")


Handler = Callable[[SandboxRequest], Any]


@dataclass
class System:
    """One external system: name (= its connector's name), title, prefix, scheme, routes."""

    name: str
    title: str
    prefix: str
    scheme: str
    #: Wraps a payload in the platform's ok envelope (used for ``GET /ping`` too).
    answer: Callable[[Any], dict]
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    @property
    def credential(self) -> dict[str, str]:
        """The demo credential the sandbox accepts for this system."""
        return DEMO_CREDENTIALS[f"sandbox_{self.name}"]

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        """Decorator: handle ``method`` on ``<prefix><path>``."""

        def add(handler: Handler) -> Handler:
            self.routes[(method.upper(), path)] = handler
            return handler

        return add

    def describe(self) -> dict[str, Any]:
        """JSON form for ``GET /__sandbox/systems``."""
        return {
            "name": self.name,
            "title": self.title,
            "prefix": self.prefix,
            "scheme": self.scheme,
            "routes": sorted(f"{m} {self.prefix}{p}" for m, p in self.routes),
        }


#: System name → system.
SYSTEMS: dict[str, System] = {}


def system(name: str, *, title: str, prefix: str, scheme: str, answer: Callable[[Any], dict]) -> System:
    """Declare a system; a second system with the same name or prefix is an error."""
    if name in SYSTEMS or any(s.prefix == prefix for s in SYSTEMS.values()):
        raise ValueError(f"sandbox system {name!r} or prefix {prefix!r} is declared twice")
    declared = System(name, title, prefix, scheme, answer)
    declared.route("GET", "/ping")(lambda req: req.system.answer({"status": "UP", "system": req.system.title}))
    SYSTEMS[name] = declared
    return declared


def find_system(path: str) -> tuple[System, str] | None:
    """The system whose prefix starts ``path`` (longest first) and the rest of the path."""
    for candidate in sorted(SYSTEMS.values(), key=lambda s: len(s.prefix), reverse=True):
        if path == candidate.prefix or path.startswith(candidate.prefix + "/"):
            return candidate, path[len(candidate.prefix) :] or "/"
    return None


# Answer envelopes of the platform families ------------------------------------------------


def gongan_answer(data: Any, code: str = "0000", msg: str = "成功") -> dict:
    """公安 data-sharing platform: ``{"code": "0000", "msg", "data"}``."""
    return {"code": code, "msg": msg, "data": data}


def zhejiang_answer(datas: Any, code: str = "00", msg: str = "成功") -> dict:
    """Zhejiang-style platform: ``{"code": "00", "msg", "datas"}``."""
    return {"code": code, "msg": msg, "datas": datas}


def tif_answer(data: Any, errcode: int = 0, errmsg: str = "ok") -> dict:
    """TIF gateway services: ``{"errcode": 0, "errmsg", "data"}``."""
    return {"errcode": errcode, "errmsg": errmsg, "data": data}


def yibao_answer(output: Any, infcode: int = 0, err_msg: str = "成功") -> dict:
    """National 医保 interface style: ``{"infcode": 0, "err_msg", "output"}``."""
    return {"infcode": infcode, "err_msg": err_msg, "output": output, "refmsg_time": ""}


def rest_answer(data: Any, code: int = 200, message: str = "success") -> dict:
    """REST platforms: ``{"code": 200, "message", "data"}``."""
    return {"code": code, "message": message, "data": data}
