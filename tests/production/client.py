"""Talking to a running topology as its users do: over HTTP, a new connection for every request.

No ``requests.Session`` and ``Connection: close`` on every request, so that consecutive requests
of one user land on whichever web worker accepts them — as they do behind a proxy. The API
authenticates with bearer tokens from ``POST /api/v1/auth/token``; the pages (objections,
allocation rounds, exits) with the session cookie and CSRF token of a real login.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

import requests

from app.services.demo_service import DEMO_PASSWORD

TIMEOUT = 60
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class HttpError(AssertionError):
    """An answer with an unexpected status (the body says why)."""


def request(method: str, url: str, *, expect: int | tuple[int, ...] | None = None, **kwargs: Any) -> requests.Response:
    """One request on a connection of its own; ``expect``: the status it must answer with."""
    headers = {"Connection": "close", **kwargs.pop("headers", {})}
    response = requests.request(method, url, headers=headers, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    if expect is not None and response.status_code not in ((expect,) if isinstance(expect, int) else expect):
        raise HttpError(f"{method} {url} answered {response.status_code}, expected {expect}: {response.text[:2000]}")
    return response


class ApiUser:
    """One user of the JSON API (a demo user; password ``demo123``)."""

    def __init__(self, base_url: str, username: str):
        self.base = f"{base_url}/api/v1"
        self.username = username
        answer = request("POST", f"{self.base}/auth/token", expect=200,
                         json={"username": username, "password": DEMO_PASSWORD}).json()
        self.headers = {"Authorization": f"Bearer {answer['access_token']}"}

    def get(self, path: str, expect: int | tuple[int, ...] = 200, **kwargs: Any) -> Any:
        return request("GET", self.base + path, expect=expect, headers=self.headers, **kwargs).json()

    def post(self, path: str, expect: int | tuple[int, ...] = 200, **kwargs: Any) -> Any:
        return request("POST", self.base + path, expect=expect, headers=self.headers, **kwargs).json()

    def tasks(self, business_key: str | None, bpmn_id: str) -> list[dict]:
        """The caller's ready tasks of one step (of one case, or of any)."""
        params = {"bpmn_id": bpmn_id} | ({"business_key": business_key} if business_key else {})
        return self.get("/tasks", params=params)["items"]

    def wait_for_task(self, business_key: str | None, bpmn_id: str, timeout: float = 120) -> dict:
        """The first ready task of a step once it shows in the caller's inbox."""
        tasks = wait_for(lambda: self.tasks(business_key, bpmn_id), timeout,
                         f"{bpmn_id} of {business_key} in the inbox of {self.username}")
        return tasks[0]

    def complete(self, business_key: str, bpmn_id: str, data: dict, timeout: float = 120) -> dict:
        """Complete the step's task (waiting for it to appear) with form data."""
        task = self.wait_for_task(business_key, bpmn_id, timeout)
        return self.post(f"/tasks/{task['id']}/complete", json={"data": data})

    def case(self, application_no: str) -> dict:
        return self.get(f"/applications/{application_no}")


def sign_with_sms_code(tenant: ApiUser, lease_no: str, sandbox_url: str) -> dict:
    """Sign the lease as a tenant does: ask for the code, read it off the phone (the sandbox's SMS
    gateway log), then sign with it — a wrong code first, which must be refused."""
    task = tenant.wait_for_task(lease_no, "sign_lease")
    sent = tenant.post(f"/tasks/{task['id']}/signing-code")
    assert sent["lease_no"] == lease_no and "****" in sent["phone_masked"]
    log = request("GET", f"{sandbox_url}/__sandbox/requests", expect=200, params={"source": "sms"}).json()
    bodies = [e.get("body") for e in log if isinstance(e.get("body"), dict)]
    code = json.loads([b for b in bodies if b.get("TemplateCode") == "LEASE_SIGN_CODE"][-1]["TemplateParam"])["code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = tenant.post(f"/tasks/{task['id']}/complete", expect=422,
                          json={"data": {"agree": True, "sms_code": wrong}})
    assert "短信验证码不正确" in str(refused["errors"]["sms_code"])
    return tenant.post(f"/tasks/{task['id']}/complete", json={"data": {"agree": True, "sms_code": code}})


class PageUser:
    """A person using the server-rendered pages: a real login, its cookie and CSRF token."""

    def __init__(self, base_url: str, username: str | None = None):
        self.base = base_url
        self.cookies: dict[str, str] = {}
        if username is not None:
            self.post_form("/login", {"username": username, "password": DEMO_PASSWORD}, expect=302)

    def _keep(self, response: requests.Response) -> requests.Response:
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, expect: int | tuple[int, ...] = 200) -> requests.Response:
        return self._keep(request("GET", self.base + path, expect=expect, cookies=self.cookies))

    def post_form(self, path: str, data: dict, expect: int | tuple[int, ...] = 302,
                  form_path: str | None = None) -> requests.Response:
        """Open the page holding the form (for its CSRF token), then post the form."""
        page = self.get(form_path or path)
        token = CSRF.search(page.text)
        assert token, f"no CSRF token on {form_path or path}"
        return self._keep(request("POST", self.base + path, expect=expect, cookies=self.cookies,
                                  data={**data, "csrf_token": token[1]}))


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.3) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")
