"""Every injected fault is survived or ends in a clear, correctly retryable error; nothing hangs.

Latency, malformed bodies and expired tokens are run on every connector by the contract kit
(tests/connectors/test_contract.py); these tests go deeper on one connector per scheme."""

from __future__ import annotations

import json
import time

import pytest

from app.engine.operators import OperatorError
from connectors.sandbox import fixtures
from connectors.testing import run_operator, running_sandbox, sandbox_settings

#: One connector per signing scheme.
BY_SCHEME = {
    "hmac_sha256": "hukou",
    "md5_token": "marriage",
    "tif": "social_insurance",
    "sm2_sm3": "tax",
    "oauth2": "real_estate",
}
REJECTED_CODE = {"oauth2": "AuthenticationFailed"}
#: 周文 has a record in each of these sources.
SINGLE = fixtures.declared_members("owns_property")[:1]


def check(source: str, settings, members=SINGLE) -> dict:
    return run_operator(f"{source}/check", {"members": members}, settings)


def failure(source: str, settings, members=SINGLE) -> OperatorError:
    with pytest.raises(OperatorError) as info:
        check(source, settings, members)
    return info.value


def faulted(admin, source: str, fault: str) -> list[dict]:
    return [r for r in admin.requests(source) if r.get("fault") == fault]


@pytest.mark.parametrize("source", BY_SCHEME.values())
def test_transient_5xx_is_retried_and_survived(admin, settings, source):
    admin.inject(source, "5xx", times=2)
    assert check(source, settings)["members"][0]["found"] is True
    assert len(faulted(admin, source, "5xx")) == 2


@pytest.mark.parametrize("source", BY_SCHEME.values())
def test_persistent_5xx_ends_in_source_unavailable(admin, settings, source):
    admin.inject(source, "5xx", times=None)
    exc = failure(source, settings)
    assert (exc.code, exc.retryable, exc.details["cause"]) == ("SourceUnavailable", True, "http_503")
    assert exc.details["attempts"] == 3 and len(faulted(admin, source, "5xx")) == 3


@pytest.mark.parametrize("source", BY_SCHEME.values())
def test_a_platform_that_never_answers_times_out_quickly(admin, sandbox_url, source):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "0.2"})
    admin.inject(source, "timeout", times=None, seconds=1.5)
    started = time.monotonic()
    exc = failure(source, settings)
    assert (exc.code, exc.retryable, exc.details["cause"]) == ("SourceUnavailable", True, "timeout")
    assert time.monotonic() - started < 1.5


def test_one_timeout_then_an_answer_is_survived(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_TIMEOUT": "0.2"})
    admin.inject("hukou", "timeout", times=1, seconds=1.0)
    assert check("hukou", settings)["members"][0]["found"] is True


@pytest.mark.parametrize(("scheme", "source"), BY_SCHEME.items())
def test_a_refused_signature_is_reported_at_once(admin, settings, scheme, source):
    admin.inject(source, "bad_signature", times=None)
    exc = failure(source, settings)
    assert exc.code == REJECTED_CODE.get(scheme, "SignatureRejected") and exc.retryable is False
    assert len(admin.requests(source)) <= 2  # (a token request and) one refused call, never retried


@pytest.mark.parametrize(("scheme", "source"), BY_SCHEME.items())
def test_a_token_refused_again_after_refresh_is_not_retried(admin, settings, scheme, source):
    admin.inject(source, "expired_token", times=None)
    exc = failure(source, settings)
    assert exc.code == REJECTED_CODE.get(scheme, "SignatureRejected") and exc.retryable is False


@pytest.mark.parametrize(("scheme", "source"), BY_SCHEME.items())
def test_a_signature_made_with_the_wrong_key_is_refused_and_reported(admin, sandbox_url, scheme, source):
    field = {"hmac_sha256": "APP_SECRET", "md5_token": "APP_SECRET", "tif": "PAAS_TOKEN", "oauth2": "CLIENT_SECRET",
             "sm2_sm3": "PRIVATE_KEY"}[scheme]
    value = "2B" * 32 if scheme == "sm2_sm3" else "not-the-demo-secret"
    env = {f"HOUSING_CONNECTOR_CRED_SANDBOX_{source.upper()}_{field}": value}
    exc = failure(source, sandbox_settings(sandbox_url, env))
    assert exc.code == REJECTED_CODE.get(scheme, "SignatureRejected") and not exc.retryable
    assert scheme in exc.message and f"sandbox_{source}" == exc.details["credential"]
    statuses = [r["status"] for r in admin.requests(source)]
    assert statuses and all(s in (200, 401, 403) for s in statuses)


def test_fault_by_request_header_through_connector_settings(admin, sandbox_url):
    env = {"HOUSING_CONNECTOR_HUKOU_EXTRA_HEADERS": json.dumps({"X-Sandbox-Fault": "5xx"})}
    exc = failure("hukou", sandbox_settings(sandbox_url, env))
    assert exc.code == "SourceUnavailable" and len(faulted(admin, "hukou", "5xx")) == 3
    env = {"HOUSING_CONNECTOR_HUKOU_EXTRA_HEADERS": json.dumps({"X-Sandbox-Fault": "latency;seconds=0.1"})}
    assert check("hukou", sandbox_settings(sandbox_url, env))["members"][0]["found"] is True


def test_faults_chosen_by_configuration_at_start():
    with running_sandbox(faults={"hukou": {"fault": "5xx", "times": 1}}) as (url, admin):
        assert check("hukou", sandbox_settings(url))["members"][0]["found"] is True
        assert [r["status"] for r in admin.requests("hukou")] == [503, 200]


def test_a_fault_on_every_system_at_once(admin, settings):
    admin.inject("*", "5xx", times=1)
    assert check("vehicles", settings)["members"][0]["found"] is False
    assert len(faulted(admin, "vehicles", "5xx")) == 1


def test_the_operation_deadline_bounds_a_slow_multi_member_check(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_DEADLINE": "0.5"})
    admin.inject("medical_insurance", "latency", times=None, seconds=0.15)
    started = time.monotonic()
    exc = failure("medical_insurance", settings, fixtures.declared_members("multi_generation"))
    assert exc.code == "SourceUnavailable" and exc.details["cause"] in ("deadline", "timeout")
    assert time.monotonic() - started < 1.5  # the deadline (0.5 s) plus one short read


def test_unreachable_platform_is_source_unavailable(sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_BASE_URL": "http://127.0.0.1:9"})
    exc = failure("hukou", settings)
    assert (exc.code, exc.retryable, exc.details["cause"]) == ("SourceUnavailable", True, "connection")


def test_a_parameter_the_platform_refuses_is_not_retried(admin, settings):
    with pytest.raises(OperatorError) as info:
        run_operator("publication_platform/close", {"publication_id": "GS-NO-SUCH"}, settings)
    assert info.value.code == "SourceRejected" and info.value.retryable is False
    assert len([r for r in admin.requests("publication_platform") if r["route"].endswith("/close")]) == 1
