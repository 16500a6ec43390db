"""The in-call backoff: exponential growth, the cap, the ±50 % jitter; and that the retry loop
waits exactly that long. The random source and the sleep are injected: nothing sleeps here."""

from __future__ import annotations

import random
import uuid

import pytest

from app.engine.operators import OperatorContext, OperatorError
from connectors.base import connector_for
from connectors.base.http import HttpClient
from connectors.sandbox import fixtures
from connectors.testing import sandbox_settings


def client(settings, source: str = "hukou", *, rng=random.random, sleep=None) -> HttpClient:
    """An HTTP client with the source's real settings, scheme and breaker."""
    connector = connector_for(source, settings)
    return HttpClient(connector.config, connector.scheme, connector.breaker, rng=rng,
                      sleep=sleep or (lambda s: pytest.fail(f"slept {s} s")))


def test_backoff_doubles_from_the_base_and_stops_at_the_cap(sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_BACKOFF": "0.2",
                                              "HOUSING_CONNECTOR_HUKOU_BACKOFF_CAP": "2.0"})
    http = client(settings, rng=lambda: 0.5)  # 0.5 → a jitter factor of exactly 1
    assert [http.backoff(n) for n in range(1, 8)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])


def test_jitter_spans_half_to_one_and_a_half_times_the_step(sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_BACKOFF": "0.2",
                                              "HOUSING_CONNECTOR_HUKOU_BACKOFF_CAP": "2.0"})
    assert client(settings, rng=lambda: 0.0).backoff(3) == pytest.approx(0.4)
    assert client(settings, rng=lambda: 0.999999).backoff(3) == pytest.approx(1.2, abs=1e-5)
    assert client(settings, rng=lambda: 0.0).backoff(9) == pytest.approx(1.0)  # the cap is jittered too
    seeded = client(settings, rng=random.Random(20261203).random)
    draws = [seeded.backoff(3) for _ in range(2000)]
    assert all(0.4 <= d < 1.2 for d in draws)
    assert min(draws) < 0.45 and max(draws) > 1.15  # the whole range is used …
    assert 0.77 < sum(draws) / len(draws) < 0.83  # … centred on the unjittered step
    assert len({round(d, 9) for d in draws}) > 1900  # not a constant


def test_a_fixed_seed_gives_the_same_delays(sandbox_url):
    settings = sandbox_settings(sandbox_url)
    first = client(settings, rng=random.Random(5).random)
    second = client(settings, rng=random.Random(5).random)
    assert [first.backoff(n) for n in (1, 2, 3)] == [second.backoff(n) for n in (1, 2, 3)]


def test_the_production_client_jitters_with_the_random_module(settings):
    http = connector_for("hukou", settings).http
    assert http._random is random.random


def test_the_retry_loop_waits_the_backoff_between_attempts(admin, sandbox_url):
    settings = sandbox_settings(sandbox_url, {"HOUSING_CONNECTOR_HUKOU_BACKOFF": "0.25",
                                              "HOUSING_CONNECTOR_HUKOU_BACKOFF_CAP": "0.6",
                                              "HOUSING_CONNECTOR_HUKOU_RETRIES": "3"})
    slept: list[float] = []
    connector = connector_for("hukou", settings)
    connector.http = client(settings, rng=lambda: 0.0, sleep=slept.append)
    admin.inject("hukou", "5xx", times=None)
    ctx = OperatorContext(idempotency_key=f"backoff-{uuid.uuid4().hex}", settings=settings)
    with pytest.raises(OperatorError) as info:
        connector.run("check", {"members": fixtures.declared_members("eligible_single")}, ctx)
    assert info.value.details["attempts"] == 4
    assert slept == pytest.approx([0.125, 0.25, 0.3])  # 0.25·2ⁿ⁻¹ capped at 0.6, times 0.5
