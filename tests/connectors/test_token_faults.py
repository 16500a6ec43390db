"""Faults at the token endpoints (``/refreshTokenByKey``, ``/oauth/token``): retried, then a clear
retryable error naming the token endpoint; the connector recovers once the fault clears."""

from __future__ import annotations

import json
import time

import pytest

from app.engine.operators import OperatorError
from connectors.sandbox import fixtures
from connectors.testing import run_operator, running_sandbox, sandbox_settings

#: One data source per token scheme, and the route of its token endpoint.
TOKEN_SOURCES = {"md5_token": ("marriage", "/refreshTokenByKey"), "oauth2": ("real_estate", "/oauth/token")}
CASES = list(TOKEN_SOURCES.values())
IDS = list(TOKEN_SOURCES)
SINGLE = fixtures.declared_members("owns_property")[:1]


def check(source: str, settings) -> dict:
    return run_operator(f"{source}/check", {"members": SINGLE}, settings)


def failure(source: str, settings) -> OperatorError:
    with pytest.raises(OperatorError) as info:
        check(source, settings)
    return info.value


def routes(admin, source: str) -> list[tuple[str, int, str | None]]:
    return [(r["route"], r.get("status"), r["fault"]) for r in admin.requests(source)]  # held: no status yet


@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_a_token_endpoint_failing_twice_is_retried_and_survived(admin, settings, source, token_route):
    admin.inject(source, "5xx", times=2, scope="token")
    assert check(source, settings)["members"][0]["found"] is True
    log = routes(admin, source)
    assert log[:3] == [(token_route, 503, "5xx"), (token_route, 503, "5xx"), (token_route, 200, None)], log
    assert all(status == 200 and fault is None for route, status, fault in log[3:] if route != token_route), log


#: fault at the token endpoint → (code, cause) after the in-call retries
TRANSIENT = {"5xx": ("SourceUnavailable", "http_503"), "timeout": ("SourceUnavailable", "timeout"),
             "malformed": ("MalformedResponse", "malformed")}


@pytest.mark.parametrize("fault", TRANSIENT)
@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_a_failing_token_endpoint_ends_in_a_retryable_error_then_recovers(admin, sandbox_url, source, token_route,
                                                                          fault):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "0.2"})
    admin.inject(source, fault, times=None, seconds=1.5, scope="token")
    started = time.monotonic()
    exc = failure(source, settings)
    assert time.monotonic() - started < 1.5  # three short reads at most, never the 1.5 s hold
    assert (exc.code, exc.retryable) == (TRANSIENT[fault][0], True)
    assert exc.details == {"cause": TRANSIENT[fault][1], "attempts": 3, "stage": "token"}
    assert "token endpoint" in exc.message
    assert [(r, f) for r, _, f in routes(admin, source)] == [(token_route, fault)] * 3  # no data request unsigned
    admin.clear_faults()
    admin.clear_requests()
    assert check(source, settings)["members"][0]["found"] is True  # the same connector, once it clears
    assert [r for r, _, _ in routes(admin, source)][0] == token_route


@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_a_token_endpoint_refusing_the_key_is_not_retried(admin, settings, source, token_route):
    admin.inject(source, "bad_signature", times=None, scope="token")
    exc = failure(source, settings)
    assert exc.code in ("SignatureRejected", "AuthenticationFailed") and exc.retryable is False
    assert routes(admin, source) == [(token_route, 401 if source == "real_estate" else 200, "bad_signature")]


@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_token_and_data_faults_keep_to_their_scope(admin, settings, source, token_route):
    admin.inject(source, "5xx", times=1)  # data scope: the token request must not take it
    check(source, settings)
    log = routes(admin, source)
    assert log[0] == (token_route, 200, None) and log[1][1:] == (503, "5xx"), log
    admin.clear_requests()
    admin.inject(source, "5xx", times=None, scope="token")  # a cached token needs no token request
    assert check(source, settings)["members"][0]["found"] is True
    assert token_route not in [r for r, _, _ in routes(admin, source)]
    assert admin.faults()[source][0]["scope"] == "token"


@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_a_fault_scoped_to_all_hits_both(admin, settings, source, token_route):
    admin.inject(source, "5xx", times=2, scope="all")
    check(source, settings)
    log = routes(admin, source)
    assert log[:3] == [(token_route, 503, "5xx"), (token_route, 503, "5xx"), (token_route, 200, None)], log


@pytest.mark.parametrize(("source", "token_route"), CASES, ids=IDS)
def test_a_token_fault_by_request_header_reaches_the_token_endpoint(admin, sandbox_url, source, token_route):
    env = {"HOUSING_CONNECTOR_DEFAULT_EXTRA_HEADERS": json.dumps({"X-Sandbox-Fault": "5xx;scope=token"})}
    exc = failure(source, sandbox_settings(sandbox_url, env))
    assert (exc.code, exc.details["stage"]) == ("SourceUnavailable", "token")
    assert routes(admin, source) == [(token_route, 503, "5xx")] * 3


def test_a_token_fault_chosen_at_start():
    with running_sandbox(faults={"marriage": {"fault": "5xx", "times": 1, "scope": "token"}}) as (url, admin):
        assert admin.faults() == {"marriage": [{"fault": "5xx", "times": 1, "seconds": None, "scope": "token"}]}
        assert check("marriage", sandbox_settings(url))["members"][0]["found"] is True
        assert [(r, s) for r, s, _ in routes(admin, "marriage")][:2] == [("/refreshTokenByKey", 503),
                                                                          ("/refreshTokenByKey", 200)]
