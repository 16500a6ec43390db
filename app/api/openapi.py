"""The OpenAPI 3.1 document of ``/api/v1``, generated from the views' own marshmallow schemas.

Every API view carries one :func:`operation` decorator. It names the schemas the view loads
(``body``, ``query``, ``multipart``) and the schema each success status is dumped through
(``responses``); the decorator does that dump, so the document and the answers cannot differ.
:func:`build` walks the app's URL map and turns each documented view into an operation with
apispec's marshmallow plugin: path parameters come from the route's converters, error statuses
are RFC 7807 problems (:class:`app.api.responses.Problem`).

Adding an endpoint::

    @bp.post("/things/<thing_id>/frob")
    @requires("admin")
    @operation("Frob a thing", tag="things", body=FrobRequest, responses={200: Thing}, errors=(409,))
    def frob(thing_id: str):
        body = FrobRequest().load(request.get_json(silent=True) or {})
        return thing_service.frob(current_identity(), thing_id, body["how"])   # dumped through Thing

``tests/integration/test_openapi.py`` fails while any ``/api/v1`` route lacks the decorator, and
``tests/integration/test_api_fuzz.py`` fuzzes every documented operation against this document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response
from marshmallow import Schema
from werkzeug.routing import IntegerConverter, Rule

from app.api.responses import Problem

ATTR = "__openapi_operation__"
INT32_MAX = 2**31 - 1
PROBLEM_JSON = "application/problem+json"
ERROR_TEXT = {
    400: "The request could not be read",
    401: "No valid bearer token",
    403: "The caller's roles do not allow this",
    404: "No such resource (or not visible to the caller)",
    409: "The resource's state does not allow this now",
    413: "The request body is too large",
    422: "The request failed validation; `errors` names each field",
    429: "Too many requests; try again later",
    500: "Unexpected error; quote the correlation id",
}

SchemaType = type[Schema]


@dataclass(frozen=True)
class Operation:
    """What one view declares about itself."""

    summary: str
    tag: str
    responses: Mapping[int, SchemaType]
    body: SchemaType | None = None
    query: SchemaType | None = None
    multipart: SchemaType | None = None
    errors: tuple[int, ...] = ()
    auth: bool = True
    description: str | None = None

    def dump(self, result):
        """The view's result dumped through the schema of its status (200 unless it says)."""
        if isinstance(result, Response):
            raise TypeError("a documented view returns data for its response schema, not a Response")
        body, status, headers = result, 200, None
        if isinstance(result, tuple):
            body, status, *rest = result
            headers = rest[0] if rest else None
        schema = self.responses.get(status)
        if schema is None:
            raise LookupError(f"status {status} is not a documented response of '{self.summary}'")
        dumped = schema().dump(body)
        return (dumped, status, headers) if headers else (dumped, status)

    def statuses(self, has_path_params: bool) -> list[int]:
        """The error statuses this operation can answer with."""
        found = {429, 500, *self.errors}
        if self.auth:
            found |= {401, 403}
        if has_path_params:
            found |= {404, 422}
        if self.body or self.query or self.multipart:
            found.add(422)
        if self.body or self.multipart:
            found.add(413)
        return sorted(found)


def operation(summary: str, *, tag: str, responses: Mapping[int, SchemaType], body: SchemaType | None = None,
              query: SchemaType | None = None, multipart: SchemaType | None = None, errors: tuple[int, ...] = (),
              auth: bool = True, description: str | None = None) -> Callable:
    """Document a view and dump what it returns through ``responses[status]``.

    ``body``/``multipart``: the request body schema(s) (both: the view accepts either);
    ``query``: the query-string schema; ``errors``: statuses beyond the ones every operation
    of its kind has (401/403 with ``auth``, 404 with path parameters, 422 with input, 413 with a
    body, 429, 500); ``auth=False``: callable without a bearer token.
    """
    op = Operation(summary, tag, dict(responses), body, query, multipart, tuple(errors), auth, description)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            return op.dump(view(*args, **kwargs))

        setattr(wrapper, ATTR, op)
        return wrapper

    return decorate


def _path(rule: Rule, prefix: str) -> tuple[str, list[dict]]:
    params: list[dict[str, Any]] = []
    for name in rule.arguments:
        converter = rule._converters.get(name)  # noqa: SLF001 -- werkzeug has no public accessor
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 0, "maximum": INT32_MAX}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/\\x00]+$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(prefix):])
    params.sort(key=lambda p: path.index("{" + p["name"] + "}"))
    return path, params


def _problem() -> dict:
    return {"content": {PROBLEM_JSON: {"schema": Problem}}}


def _operation_dict(op: Operation, params: list[dict]) -> dict:
    out: dict = {"summary": op.summary, "tags": [op.tag]}
    if op.description:
        out["description"] = op.description
    parameters = list(params)
    if op.query:
        parameters.append({"in": "query", "schema": op.query})
    if parameters:
        out["parameters"] = parameters
    content = {}
    if op.body:
        content["application/json"] = {"schema": op.body}
    if op.multipart:
        content["multipart/form-data"] = {"schema": op.multipart}
    if content:
        out["requestBody"] = {"required": True, "content": content}
    responses: dict = {}
    for status, schema in sorted(op.responses.items()):
        responses[str(status)] = {"description": schema.__doc__.strip().splitlines()[0] if schema.__doc__ else "OK",
                                  "content": {"application/json": {"schema": schema}}}
        if status == 201:
            responses["201"]["headers"] = {"Location": {"description": "the created resource",
                                                        "schema": {"type": "string"}}}
    for status in op.statuses(bool(params)):
        responses[str(status)] = {"description": ERROR_TEXT.get(status, "Problem"), **_problem()}
    out["responses"] = responses
    if not op.auth:
        out["security"] = []
    return out


def build(app: Flask, prefix: str) -> dict:
    """The OpenAPI document of every documented route under ``prefix`` (an undocumented one is
    left out, which the route test reports)."""
    spec = APISpec(
        title="Housing approval API", version="1.0.0", openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "Engine host for public rental housing approval: applications, definitions, "
                             "instances, tasks, messages, incidents. Errors are RFC 7807 problem+json."},
        servers=[{"url": prefix}], security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Problem", schema=Problem)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op = getattr(app.view_functions[rule.endpoint], ATTR, None)
        if not rule.rule.startswith(prefix + "/") or op is None:
            continue
        path, params = _path(rule, prefix)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry = _operation_dict(op, params)
            entry["operationId"] = rule.endpoint.removeprefix("api.")
            paths.setdefault(path, {})[method.lower()] = entry
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def spec(app: Flask, prefix: str) -> dict:
    """The document, built once per app."""
    cached = app.extensions.get("housing.openapi")
    if cached is None:
        cached = app.extensions["housing.openapi"] = build(app, prefix)
    return cached
