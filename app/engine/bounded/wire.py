"""What crosses the pipe between the host and an evaluator process, and how errors travel.

Requests (host → evaluator) are pickled: the evaluator trusts its host. Replies (evaluator →
host) come from a process that ran code typed into a browser, so the host unpickles them with
a whitelist of classes (plain data, dates, ``Decimal``) and a size cap: a reply can neither
build arbitrary objects in the host nor make it allocate more than the cap.

Errors are sent as plain dicts and rebuilt on the host as the same class: the sandbox's
:class:`~app.engine.sandbox.ScriptError` family, a builtin exception (``ZeroDivisionError``…)
carrying ``line_number``, or a DMN :class:`~app.engine.dmn.DmnEvaluationError` with its cause.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import decimal
import io
import os
import pickle
import struct
from typing import Any

from app.engine.sandbox import SandboxViolation, ScriptError, ScriptTimeout, _line_of

_HEADER = struct.Struct(">I")
_ALLOWED = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"), ("builtins", "set"), ("builtins", "frozenset"),
}
_PLAIN = (type(None), bool, int, float, str, _dt.date, _dt.time, _dt.timedelta, decimal.Decimal)


class ScriptMemoryError(ScriptError):
    """The code used more memory than its limit."""


class DataTooLarge(ScriptError):
    """A script's result is larger than the instance data limit."""


_SCRIPT_ERRORS = {cls.__name__: cls for cls in (ScriptError, SandboxViolation, ScriptTimeout,
                                                 ScriptMemoryError, DataTooLarge)}


class _ReplyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} may not come back from a script")


def dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def loads_reply(data: bytes) -> Any:
    """Unpickle a reply, refusing every class outside the whitelist."""
    return _ReplyUnpickler(io.BytesIO(data)).load()


def write_frame(fd: int, payload: bytes) -> None:
    """Write one length-prefixed frame to a file descriptor."""
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def read_exact(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes (``EOFError`` if the other side closed)."""
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("evaluator pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def frame_length(header: bytes) -> int:
    return _HEADER.unpack(header)[0]


HEADER_SIZE = _HEADER.size


def check_plain(value: Any, what: str = "value", depth: int = 0) -> None:
    """Raise :class:`ScriptError` unless ``value`` is plain data that may leave the sandbox."""
    if depth > 100:
        raise ScriptError(f"{what} is nested too deeply")
    if isinstance(value, _PLAIN):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            check_plain(key, what, depth + 1)
            check_plain(item, what, depth + 1)
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_plain(item, what, depth + 1)
        return
    raise ScriptError(f"{what} is a {type(value).__name__}, which cannot leave the sandbox")


def error_to_dict(exc: BaseException) -> dict:
    """An exception as plain data (the evaluator's side)."""
    from app.engine.dmn import DmnEvaluationError, HitPolicyViolation

    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc),
                           "line": int(getattr(exc, "line_number", 0) or 0) or _line_of(exc)}
    if isinstance(exc, MemoryError):
        out.update(type="ScriptMemoryError", message="script used more memory than its limit")
    elif isinstance(exc, KeyError) and exc.args:
        out["message"] = str(exc.args[0])
    if isinstance(exc, DmnEvaluationError):
        out["dmn"] = {"message": exc.message, "decision_id": exc.decision_id, "rule_id": exc.rule_id,
                      "row": exc.row, "element_id": exc.element_id, "cell": exc.cell,
                      "rules": [list(r) for r in exc.rules] if isinstance(exc, HitPolicyViolation) else None}
        if exc.__cause__ is not None:
            out["cause"] = error_to_dict(exc.__cause__)
    return out


def error_from_dict(data: dict) -> Exception:
    """Rebuild an exception sent by :func:`error_to_dict` (the host's side)."""
    name, message, line = str(data.get("type")), str(data.get("message", "")), int(data.get("line") or 0)
    if data.get("dmn") is not None:
        return _dmn_error(data)
    if name in _SCRIPT_ERRORS:
        return _SCRIPT_ERRORS[name](message, line_number=line)
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and not issubclass(cls, OSError):
        try:
            exc = cls(message)
        except Exception:  # an exception class with another signature
            exc = ScriptError(f"{name}: {message}", line_number=line)
        exc.line_number = line  # type: ignore[attr-defined]
        return exc
    return ScriptError(f"{name}: {message}" if message else name, line_number=line)


def _dmn_error(data: dict) -> Exception:
    from app.engine.dmn import DmnEvaluationError, HitPolicyViolation

    d = data["dmn"]
    if d.get("rules") is not None:
        err: DmnEvaluationError = HitPolicyViolation(d["message"], decision_id=d["decision_id"],
                                                     rules=[tuple(r) for r in d["rules"]])
    else:
        err = DmnEvaluationError(d["message"], decision_id=d["decision_id"], rule_id=d["rule_id"],
                                 row=d["row"], element_id=d["element_id"], cell=d["cell"])
    if data.get("cause") is not None:
        err.__cause__ = error_from_dict(data["cause"])
    return err
