"""A connector's request reaches the platform as ``Session.request`` would send it: the client
prepares it once instead of merging the session's settings into every request again."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.engine.operators import load_operators
from connectors.base import connector_for
from connectors.base.http import HttpClient
from connectors.signing.base import OutgoingRequest
from connectors.testing import sandbox_settings


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request with JSON; remembers what came; sets a cookie on ``/login`` and
    redirects ``/moved`` to ``/here``."""

    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append({"method": self.command, "path": self.path, "body": body,
                          "headers": {k.lower(): v for k, v in self.headers.items()}})
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/here")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps({"code": 0, "data": {"ok": True}}).encode()
        self.send_response(200)
        if self.path.startswith("/login"):
            self.send_header("Set-Cookie", "route=node-7; Path=/")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def platform():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _client(base_url: str) -> HttpClient:
    load_operators()
    connector = connector_for("hukou", sandbox_settings(base_url))
    return HttpClient(connector.config, connector.scheme, connector.breaker, sleep=lambda s: pytest.fail("slept"))


def _request(base_url: str, path: str) -> OutgoingRequest:
    return OutgoingRequest("POST", base_url + path, {"city": "重庆", "q": "a b"},
                           {"Idempotency-Key": "k-1", "accept": "application/json; v=2",
                            "Content-Type": "application/json; charset=utf-8"},
                           b'{"id_number":"500101199001011234"}')


def test_a_prepared_request_sends_what_session_request_sends(platform):
    mine, reference = _client(platform), _client(platform)
    for http in (mine, reference):  # each session gets the platform's cookie first
        assert http.session.get(platform + "/login", timeout=5).status_code == 200
    sent = mine._send(_request(platform, "/api/query"), (3.0, 5.0))
    request = _request(platform, "/api/query")
    expected = reference.session.request(request.method, request.url, params=request.params,
                                         data=request.body, headers=request.headers, timeout=(3.0, 5.0))
    assert sent.status_code == expected.status_code == 200 and sent.json() == expected.json()
    got, want = _Recorder.seen[2], _Recorder.seen[3]
    assert got == want
    assert got["path"] == "/api/query?city=%E9%87%8D%E5%BA%86&q=a+b"
    assert got["headers"]["cookie"] == "route=node-7"  # the session's cookie goes back, as before
    assert got["headers"]["accept"] == "application/json; v=2"  # the request's header wins, whatever its case
    assert got["headers"]["user-agent"] == "housing-approval-connector/hukou"
    assert got["headers"]["idempotency-key"] == "k-1"
    assert got["body"] == b'{"id_number":"500101199001011234"}'


def test_a_redirect_is_followed_as_session_request_follows_it(platform):
    answer = _client(platform)._send(_request(platform, "/moved"), (3.0, 5.0))
    assert answer.status_code == 200 and [r.status_code for r in answer.history] == [302]
    assert [(s["method"], s["path"]) for s in _Recorder.seen] == [
        ("POST", "/moved?city=%E9%87%8D%E5%BA%86&q=a+b"), ("GET", "/here")]
