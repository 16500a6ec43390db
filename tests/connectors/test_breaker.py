"""The circuit breaker opens, half-opens and closes — alone and over real HTTP."""

from __future__ import annotations

import time

import pytest

from app.engine.operators import OperatorError
from connectors.base import connector_for
from connectors.base.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from connectors.sandbox import fixtures
from connectors.testing import run_operator, sandbox_settings


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_consecutive_failures():
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=3, reset_after=10, clock=clock)
    for _ in range(2):
        breaker.before_request()
        breaker.record_failure()
    breaker.before_request()
    breaker.record_success()  # a success in between resets the count
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == CLOSED
    breaker.record_failure()
    assert breaker.state == OPEN
    with pytest.raises(OperatorError) as info:
        breaker.before_request()
    assert info.value.code == "CircuitOpen" and info.value.retryable is True
    assert info.value.details["retry_in"] == pytest.approx(10)


def test_half_open_lets_one_probe_through_and_closes_on_success():
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=1, reset_after=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.state == HALF_OPEN
    breaker.before_request()  # the probe
    with pytest.raises(OperatorError):
        breaker.before_request()  # a second caller while the probe is out
    breaker.record_success()
    assert breaker.state == CLOSED
    breaker.before_request()


def test_a_failed_probe_opens_the_circuit_again():
    clock = Clock()
    breaker = CircuitBreaker("x", threshold=1, reset_after=5, clock=clock)
    breaker.record_failure()
    clock.now += 6
    breaker.before_request()
    breaker.record_failure()
    assert breaker.state == OPEN
    clock.now += 4
    with pytest.raises(OperatorError):
        breaker.before_request()
    clock.now += 1
    assert breaker.state == HALF_OPEN


def test_breaker_over_http_opens_fails_fast_half_opens_and_closes(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_BREAKER_THRESHOLD": "3",
                                              "HOUSING_CONNECTOR_DEFAULT_BREAKER_RESET": "0.3"})
    members = {"members": fixtures.declared_members("eligible_single")}
    breaker = connector_for("hukou", settings).breaker
    admin.inject("hukou", "5xx", times=None)
    with pytest.raises(OperatorError) as first:
        run_operator("hukou/check", members, settings)
    assert first.value.code == "SourceUnavailable" and breaker.state == OPEN
    seen = len(admin.requests("hukou"))
    started = time.monotonic()
    with pytest.raises(OperatorError) as fast:
        run_operator("hukou/check", members, settings)
    assert fast.value.code == "CircuitOpen" and fast.value.retryable is True
    assert time.monotonic() - started < 0.1 and len(admin.requests("hukou")) == seen, "no request while open"

    time.sleep(0.35)
    assert breaker.state == HALF_OPEN
    with pytest.raises(OperatorError) as probe:
        run_operator("hukou/check", members, settings)
    assert probe.value.code == "CircuitOpen", "the failed probe reopened the circuit; its retry was refused"
    assert len(admin.requests("hukou")) == seen + 1 and breaker.state == OPEN

    admin.clear_faults()
    time.sleep(0.35)
    assert run_operator("hukou/check", members, settings)["members"][0]["found"] is True
    assert breaker.state == CLOSED


def test_each_source_has_its_own_breaker(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_DEFAULT_BREAKER_THRESHOLD": "1"})
    members = {"members": fixtures.declared_members("eligible_single")}
    admin.inject("hukou", "5xx", times=None)
    with pytest.raises(OperatorError):
        run_operator("hukou/check", members, settings)
    assert connector_for("hukou", settings).breaker.state == OPEN
    assert run_operator("tax/check", members, settings)["members"][0]["found"] is True
    assert connector_for("tax", settings).breaker.state == CLOSED


def test_health_check_reports_up_and_down(admin, settings):
    ok, message = connector_for("tax", settings).test_connection()
    assert ok and "税务" in message
    admin.inject("tax", "5xx", times=None)
    ok, message = connector_for("tax", settings).test_connection()
    assert not ok and "SourceUnavailable" in message
