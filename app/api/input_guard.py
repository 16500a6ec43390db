"""Refuse text the database cannot store before any view sees it.

PostgreSQL rejects a NUL character (``\\u0000``) in text, and no encoder accepts a lone UTF-16
surrogate (``\\ud800`` in JSON): either one, in a path, a query string, a form field or anywhere
in a JSON body, would otherwise fail deep inside a service as a 500. The API answers a problem
(404 for a path: nothing by such a name exists; 422 naming the field otherwise), a page the
readable error page of the same status. Registered as a ``before_request`` of the API and of
the pages.
"""

from __future__ import annotations

import re

from flask import request

from app.services.errors import NotFound, ValidationFailed

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MESSAGE = "不能包含空字符（\\u0000）或无效的 Unicode 字符"
UNNAMED = "有无法读出名称的表单字段"
REFUSED = "提交的内容含有无法保存的字符或无法读出的字段"
NO_RECORD = "没有这个地址对应的记录"
TOO_DEEP = "请求的 JSON 嵌套过深"
#: integers larger than a database key can be (an id past this names nothing)
INT_KEY_MAX = 2**63 - 1


def _bad(value: object) -> bool:
    return isinstance(value, str) and bool(UNSTORABLE.search(value))


def _walk(value, where: str) -> str | None:
    """The first place in a JSON value holding unstorable text, or None."""
    if isinstance(value, str):
        return where if _bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if _bad(str(key)):
                return place
            found = _walk(item, place)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _walk(item, f"{where}.{i}" if where else str(i))
            if found:
                return found
    return None


def _json_place() -> str | None:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ValidationFailed(TOO_DEEP, {"_body": ["nested too deeply"]}) from None
    try:
        return _walk(body, "")
    except RecursionError:
        raise ValidationFailed(TOO_DEEP, {"_body": ["nested too deeply"]}) from None


def refuse_unstorable_input() -> None:
    """Raise NotFound / ValidationFailed for a request carrying text the database cannot store."""
    if _bad(request.path) or any(isinstance(v, int) and v > INT_KEY_MAX for v in (request.view_args or {}).values()):
        raise NotFound(NO_RECORD)
    errors: dict[str, list[str]] = {}
    for key, value in request.args.items(multi=True):
        if _bad(key) or _bad(value):
            errors[key if not _bad(key) else "query"] = [MESSAGE]
    if request.method in BODY_METHODS:
        if request.is_json:
            place = _json_place()
            if place is not None:
                errors[place or "_body"] = [MESSAGE]
        elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            for key, value in request.form.items(multi=True):
                if not isinstance(key, str):
                    errors["form"] = [UNNAMED]
                elif _bad(key) or _bad(value):
                    errors[key if not _bad(key) else "form"] = [MESSAGE]
            for key, upload in request.files.items(multi=True):
                if not isinstance(key, str):
                    errors["files"] = [UNNAMED]
                elif _bad(key) or _bad(upload.filename or ""):
                    errors[key if not _bad(key) else "files"] = [MESSAGE]
    if errors:
        raise ValidationFailed(REFUSED, errors)
