"""The sandbox server: one HTTP server playing every external system.

``python -m connectors.sandbox --port 8780`` (or ``housing sandbox``) serves each system under
its own prefix (``GET /__sandbox/systems`` lists them) with its own field names and signing
scheme, from the fixture households. Requests go through, in order: an injected fault
(``X-Sandbox-Fault`` header or a queued fault whose scope covers the request: ``data`` routes,
the ``token`` endpoint, or ``all``); the scheme's token endpoint if it is one; signature
verification (a bad signature is refused as the platform would); the route.

Admin endpoints (unsigned, for tests and demos):

* ``GET|POST|DELETE /__sandbox/faults`` — list, add ``{"source", "fault", "times", "seconds",
  "scope"}`` (``times`` 0 or null: until cleared; ``source`` ``*``: every system; ``scope``
  ``data`` by default, ``token`` or ``all``), clear (``?source=`` for one system);
* ``GET|DELETE /__sandbox/requests`` — the request log (``?source=``), or clear it;
* ``POST /__sandbox/reset`` — forget faults, requests, tokens, receipts;
* ``GET /__sandbox/systems`` and ``GET /__sandbox/households``.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from connectors.base.registry import import_connector_modules
from connectors.sandbox import faults, gateways
from connectors.sandbox.fixtures import households
from connectors.sandbox.registry import SYSTEMS, SandboxRequest, find_system
from connectors.sandbox.state import Fault, SandboxConfig, SandboxState
from connectors.signing import SCHEMES

log = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"


def create_app(config: SandboxConfig | dict[str, Any] | None = None) -> Flask:
    """The sandbox as a Flask app; ``config`` is a :class:`SandboxConfig` or its fields as a dict."""
    import_connector_modules()  # every connector, its demo credential and its sandbox system

    if not isinstance(config, SandboxConfig):
        config = SandboxConfig(**(config or {}))
    app = Flask("connectors.sandbox")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    state = SandboxState(config)
    app.extensions["sandbox"] = state
    _add_admin_routes(app, state)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def dispatch(path: str) -> Response:
        return _dispatch(state)

    return app


def _dispatch(state: SandboxState) -> Response:
    found = find_system(request.path)
    if found is None:
        return _respond(404, {"error": "no system here", "systems": sorted(s.prefix for s in SYSTEMS.values())})
    system, route = found
    body = request.get_data()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    req = SandboxRequest(
        system=system,
        method=request.method,
        path=request.path,
        route=route,
        args=request.args.to_dict(),
        form=request.form.to_dict(),
        headers=request.headers,
        body=body,
        json=parsed,
        state=state,
    )
    entry = state.log_request(
        {
            "system": system.name,
            "method": req.method,
            "path": req.path,
            "route": route,
            "query": dict(req.args),
            "body": parsed if parsed is not None else body.decode("utf-8", "replace")[:2000],
            "idempotency_key": req.idempotency_key,
            "fault": None,
        }
    )
    status, payload, content_type = _handle(req, entry)
    entry["status"] = status
    return _respond(status, payload, content_type)


def _handle(req: SandboxRequest, entry: dict[str, Any]) -> tuple[int, Any, str]:
    kind = "token" if gateways.is_token_request(req) else "data"
    fault = faults.parse_header(req.headers.get(faults.HEADER))
    if fault is not None and not fault.hits(kind):
        fault = None
    fault = fault or req.state.take_fault(req.system.name, kind)
    if fault is not None:
        entry["fault"] = fault.fault
        answer = faults.apply(fault, req)
        if answer is not None:
            return answer
    token_answer = gateways.token_endpoint(req)
    if token_answer is not None:
        return token_answer[0], token_answer[1], JSON
    verdict = gateways.verify(req)
    if verdict is not None:
        entry["refused"] = verdict
        status, body = SCHEMES[req.system.scheme].refusals[verdict]
        return status, body, JSON
    handler = req.system.routes.get((req.method, req.route))
    if handler is None:
        return 404, {"error": f"{req.system.title}: no route {req.method} {req.route}"}, JSON
    result = handler(req)
    if isinstance(result, tuple):
        return result[0], result[1], JSON
    return 200, result, JSON


def _respond(status: int, payload: Any, content_type: str = JSON) -> Response:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return Response(text, status=status, content_type=content_type)


def _add_admin_routes(app: Flask, state: SandboxState) -> None:
    @app.get("/__sandbox/systems")
    def list_systems() -> Response:
        return jsonify([s.describe() for s in sorted(SYSTEMS.values(), key=lambda s: s.name)])

    @app.get("/__sandbox/households")
    def list_households() -> Response:
        return jsonify(
            [
                {k: h[k] for k in ("key", "label", "district", "housing_type", "declared", "expected")}
                for h in households()
            ]
        )

    @app.route("/__sandbox/faults", methods=["GET", "POST", "DELETE"])
    def manage_faults() -> Response:
        if request.method == "POST":
            spec = request.get_json(force=True, silent=True) or {}
            source = spec.get("source") or "*"
            if source != "*" and source not in SYSTEMS:
                return _respond(400, {"error": f"unknown source {source!r}", "known": sorted(SYSTEMS)})
            try:
                times = int(spec.get("times", 1) or 0)
                seconds = float(spec["seconds"]) if spec.get("seconds") is not None else None
                scope = str(spec.get("scope") or "data")
                state.add_fault(source, Fault(str(spec.get("fault")), times if times > 0 else None, seconds, scope))
            except (TypeError, ValueError) as exc:
                return _respond(400, {"error": str(exc)})
        elif request.method == "DELETE":
            state.clear_faults(request.args.get("source"))
        return jsonify(state.faults())

    @app.route("/__sandbox/requests", methods=["GET", "DELETE"])
    def manage_requests() -> Response:
        if request.method == "DELETE":
            state.clear_requests()
            return jsonify([])
        return jsonify(state.requests(request.args.get("source")))

    @app.post("/__sandbox/reset")
    def reset() -> Response:
        state.reset()
        return jsonify({"reset": True})


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests and embedded use: no access log."""


def start_in_thread(port: int = 0, host: str = "127.0.0.1", **config: Any) -> tuple[str, Callable[[], None]]:
    """Serve the sandbox from a daemon thread; returns ``(base_url, stop)``.

    ``config`` takes :class:`SandboxConfig` fields (``hang_seconds``, ``latency_seconds`` …).
    ``stop()`` ends held (timeout / latency) answers at once and shuts the server down.
    """
    app = create_app(SandboxConfig(**config))
    state: SandboxState = app.extensions["sandbox"]
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="connector-sandbox", daemon=True)
    thread.start()

    def stop() -> None:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", stop


def _fault_arg(text: str) -> tuple[str, dict[str, Any]]:
    """``hukou=5xx``, ``hukou=timeout:3`` (times), ``marriage=5xx:2@token`` (scope) → ``("hukou", {...})``."""
    source, _, rest = text.partition("=")
    rest, _, scope = rest.partition("@")
    name, _, times = rest.partition(":")
    if not source or not name:
        raise argparse.ArgumentTypeError("expected SOURCE=FAULT[:TIMES][@SCOPE], e.g. hukou=5xx:2, marriage=5xx@token")
    return source, {"fault": name, "times": int(times) if times else None, "scope": scope or "data"}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m connectors.sandbox [--host H] [--port P] [--fault S=F[:N]] …``."""
    parser = argparse.ArgumentParser(prog="housing sandbox", description="Serve the connector sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--hang-seconds", type=float, default=30.0, help="how long a 'timeout' fault holds")
    parser.add_argument("--latency-seconds", type=float, default=1.0, help="delay of a 'latency' fault")
    parser.add_argument("--token-ttl", type=float, default=7200.0, help="lifetime of issued tokens (s)")
    parser.add_argument("--fault", action="append", type=_fault_arg, default=[], metavar="SOURCE=FAULT[:TIMES][@SCOPE]")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)
    app = create_app(
        SandboxConfig(
            hang_seconds=args.hang_seconds,
            latency_seconds=args.latency_seconds,
            token_ttl=args.token_ttl,
            faults=dict(args.fault),
        )
    )
    handler = _QuietHandler if args.quiet else WSGIRequestHandler
    server = make_server(args.host, args.port, app, threaded=True, request_handler=handler)
    print(f"Connector sandbox: {len(SYSTEMS)} systems at http://{args.host}:{server.server_port}/__sandbox/systems")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["sandbox"].stop.set()
        server.server_close()
    return 0
